/* SPDX-License-Identifier: MIT */
/*
 * What the service needs to know about the graph: which nodes exist (by node.name, with their
 * media.class), which source and sink the session manager calls the defaults (the "default"
 * metadata's default.audio.source and default.audio.sink), and which links exist (a node's
 * consumers: what records from the Vocana Microphone, what plays into the Vocana Speaker). Every
 * change that could move a device target or a node's consumers fires `changed`, on the main
 * thread; the owner then re-decides (mic.c).
 */
#ifndef VOCANA_PW_MIC_GRAPH_H
#define VOCANA_PW_MIC_GRAPH_H

#include <stdint.h>
#include <stdbool.h>

struct pw_core;

enum mic_node_kind {
	MIC_NODE_NONE = 0,   /* no such node, or one we cannot capture from */
	MIC_NODE_SOURCE = 1, /* Audio/Source... : capture it directly */
	MIC_NODE_SINK = 2,   /* Audio/Sink... : capture its monitor (stream.capture.sink) */
};

struct mic_graph_events {
	void (*changed)(void *data);
};

struct mic_graph;

int mic_graph_create(struct pw_core *core, const struct mic_graph_events *events, void *data,
		     struct mic_graph **out);

/* NULL is a no-op. */
void mic_graph_destroy(struct mic_graph *g);

/* Whether the graph has announced every node that existed when it was created (a core sync after
 * the registry's first listing is done): only then does MIC_NODE_NONE from mic_graph_node_kind()
 * mean that no such node exists, rather than that it has not been announced yet. */
bool mic_graph_synced(const struct mic_graph *g);

/* The kind of the node called name (node.name). */
enum mic_node_kind mic_graph_node_kind(const struct mic_graph *g, const char *name);

/* node.name of the default source, or NULL while there is none. Valid until the next event. */
const char *mic_graph_default_source(const struct mic_graph *g);

/* node.name of the default sink, or NULL while there is none. Valid until the next event. */
const char *mic_graph_default_sink(const struct mic_graph *g);

/* The sink we would pick as the default ourselves, never `exclude`: the Audio/Sink with the
 * highest priority.session, or NULL. */
const char *mic_graph_best_sink(const struct mic_graph *g, const char *exclude);

/* Links that have the node with this id (its global id) at either end. */
unsigned mic_graph_links_of(const struct mic_graph *g, uint32_t node_id);

/* The source we would pick as the default ourselves, never `exclude`: the Audio/Source with the
 * highest priority.session (never a sink's monitor: that could record what the user hears).
 * NULL if there is none. For when the session manager's default is our own source and we never
 * saw a real one. */
const char *mic_graph_best_source(const struct mic_graph *g, const char *exclude);

/* Every node that can be captured (sources, and sinks through their monitor), in the order
 * PipeWire announced them: for the control socket's 'devices' request (the app's device picker). */
typedef void (*mic_graph_node_fn)(void *data, const char *name, const char *description,
				  enum mic_node_kind kind);
void mic_graph_for_each(const struct mic_graph *g, mic_graph_node_fn fn, void *data);

#endif /* VOCANA_PW_MIC_GRAPH_H */
