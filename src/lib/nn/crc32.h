/* SPDX-License-Identifier: MIT */
#ifndef VOCANA_NN_CRC32_H
#define VOCANA_NN_CRC32_H

#include <stddef.h>
#include <stdint.h>

/*
 * CRC-32 with the IEEE 802.3 polynomial, bit-compatible with zlib's crc32() and Python's
 * zlib.crc32(): start with crc = 0, and pass a previous result to continue over more bytes.
 * nn_crc32(0, "123456789", 9) == 0xCBF43926.
 */
uint32_t nn_crc32(uint32_t crc, const void *data, size_t n_bytes);

#endif
