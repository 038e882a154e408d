/* SPDX-License-Identifier: MIT */
/* Headerless sample formats: conversion to and from float (writes to a descriptor: io/sysio.h).
 * Conversions assemble bytes explicitly, so they are little-endian on any host. */
#ifndef VOCANA_IO_AUDIO_RAW_H
#define VOCANA_IO_AUDIO_RAW_H

#include <stddef.h>

#include "io/audio_format.h"

/* n_samples samples from src (packed little-endian) to float. */
void audio_raw_decode(enum audio_raw_format f, const unsigned char *src, float *dst,
		      size_t n_samples);

/* n_samples floats to packed little-endian samples. s16le rounds to nearest and clips to the
 * 16 bit range (so s16le -> float -> s16le is exact); NaN becomes 0. */
void audio_raw_encode(enum audio_raw_format f, const float *src, unsigned char *dst,
		      size_t n_samples);

#endif /* VOCANA_IO_AUDIO_RAW_H */
