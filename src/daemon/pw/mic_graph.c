/* SPDX-License-Identifier: MIT */
#include "pw/mic_graph.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <pipewire/pipewire.h>
/* After pipewire.h: metadata.h uses struct spa_hook without declaring it. */
#include <pipewire/extensions/metadata.h>
#include <spa/utils/json.h>
#include <spa/utils/list.h>
#include <spa/utils/string.h>

#include "service/number.h"

#define DEFAULT_SOURCE_KEY "default.audio.source"
#define DEFAULT_SINK_KEY "default.audio.sink"
#define NAME_MAX_BYTES 256

struct node_entry {
	struct spa_list link;
	uint32_t id;
	enum mic_node_kind kind;
	int priority;            /* priority.session: what WirePlumber ranks defaults by */
	char *description;       /* node.description (points into name[]), "" if none */
	char name[];
};

/* A link between two nodes (global ids), as the registry announced it. */
struct link_entry {
	struct spa_list link;
	uint32_t id, output_node, input_node;
};

struct mic_graph {
	struct pw_core *core;
	const struct mic_graph_events *events;
	void *data;
	struct pw_registry *registry;
	struct spa_hook registry_listener;
	struct spa_hook core_listener;
	int sync_seq;            /* the pw_core_sync() that follows the registry's first listing */
	bool synced;             /* that sync is done: every node that existed has been announced */
	struct spa_list nodes;
	struct spa_list links;
	struct pw_metadata *metadata; /* the "default" metadata, once it appears */
	uint32_t metadata_id;
	struct spa_hook metadata_listener;
	char default_source[NAME_MAX_BYTES];
	char default_sink[NAME_MAX_BYTES];
};

static void notify(struct mic_graph *g)
{
	if (g->events->changed)
		g->events->changed(g->data);
}

static enum mic_node_kind kind_of(const char *media_class)
{
	if (media_class == NULL)
		return MIC_NODE_NONE;
	if (spa_strstartswith(media_class, "Audio/Source"))
		return MIC_NODE_SOURCE;
	if (spa_strstartswith(media_class, "Audio/Sink"))
		return MIC_NODE_SINK;
	return MIC_NODE_NONE;
}

/* The value is JSON, { "name": "alsa_input.pci-..." }. */
static void parse_default(const char *json, char *name, size_t size)
{
	struct spa_json it[2];
	char key[64];

	name[0] = '\0';
	if (json == NULL)
		return;
	spa_json_init(&it[0], json, strlen(json));
	if (spa_json_enter_object(&it[0], &it[1]) <= 0)
		return;
	while (spa_json_get_string(&it[1], key, sizeof(key)) > 0) {
		if (spa_streq(key, "name")) {
			if (spa_json_get_string(&it[1], name, (int)size) <= 0)
				name[0] = '\0';
			return;
		}
		const char *value;
		if (spa_json_next(&it[1], &value) <= 0)
			return;
	}
}

static int metadata_property(void *data, uint32_t subject, const char *key, const char *type,
			     const char *value)
{
	struct mic_graph *g = data;
	char name[NAME_MAX_BYTES], *dflt;

	if (subject != PW_ID_CORE)
		return 0;
	if (key == NULL) { /* everything removed */
		g->default_source[0] = '\0';
		g->default_sink[0] = '\0';
		notify(g);
		return 0;
	}
	if (spa_streq(key, DEFAULT_SOURCE_KEY))
		dflt = g->default_source;
	else if (spa_streq(key, DEFAULT_SINK_KEY))
		dflt = g->default_sink;
	else
		return 0;
	parse_default(value, name, sizeof(name));
	if (!spa_streq(name, dflt)) {
		memcpy(dflt, name, sizeof(name));
		notify(g);
	}
	return 0;
}

static const struct pw_metadata_events metadata_events = {
	PW_VERSION_METADATA_EVENTS,
	.property = metadata_property,
};

static void drop_metadata(struct mic_graph *g)
{
	if (g->metadata == NULL)
		return;
	spa_hook_remove(&g->metadata_listener);
	pw_proxy_destroy((struct pw_proxy *)g->metadata);
	g->metadata = NULL;
	g->default_source[0] = '\0';
	g->default_sink[0] = '\0';
}

/* A link global: the nodes at its two ends (props link.output.node, link.input.node). */
static void add_link(struct mic_graph *g, uint32_t id, const struct spa_dict *props)
{
	const char *out = spa_dict_lookup(props, PW_KEY_LINK_OUTPUT_NODE);
	const char *in = spa_dict_lookup(props, PW_KEY_LINK_INPUT_NODE);
	struct link_entry *e;

	if (out == NULL || in == NULL || (e = calloc(1, sizeof(*e))) == NULL)
		return; /* not a link we can place, or out of memory: one consumer less seen */
	e->id = id;
	e->output_node = (uint32_t)strtoul(out, NULL, 10);
	e->input_node = (uint32_t)strtoul(in, NULL, 10);
	spa_list_append(&g->links, &e->link);
	notify(g);
}

static void registry_global(void *data, uint32_t id, uint32_t permissions, const char *type,
			    uint32_t version, const struct spa_dict *props)
{
	struct mic_graph *g = data;

	if (props == NULL)
		return;
	if (spa_streq(type, PW_TYPE_INTERFACE_Node)) {
		const char *name = spa_dict_lookup(props, PW_KEY_NODE_NAME), *prio;
		const char *desc = spa_dict_lookup(props, PW_KEY_NODE_DESCRIPTION);
		struct node_entry *e;
		size_t len, dlen;
		long priority;

		if (name == NULL || (len = strlen(name)) >= NAME_MAX_BYTES)
			return;
		/* The description is only shown to people (the app's device list): cut, not refused. */
		dlen = desc ? strnlen(desc, NAME_MAX_BYTES - 1) : 0;
		e = calloc(1, sizeof(*e) + len + 1 + dlen + 1);
		if (e == NULL)
			return; /* we only miss this node: it can still be found when it comes back */
		e->id = id;
		e->kind = kind_of(spa_dict_lookup(props, PW_KEY_MEDIA_CLASS));
		prio = spa_dict_lookup(props, PW_KEY_PRIORITY_SESSION);
		/* Any client may set this property: a number out of range (or not a number) counts
		 * as no priority instead of wrapping (atoi's overflow is undefined). */
		if (prio == NULL || number_parse(prio, INT_MIN, INT_MAX, &priority) < 0)
			priority = 0;
		e->priority = (int)priority;
		memcpy(e->name, name, len + 1);
		e->description = e->name + len + 1;
		if (dlen)
			memcpy(e->description, desc, dlen);
		e->description[dlen] = '\0';
		spa_list_append(&g->nodes, &e->link);
		notify(g);
	} else if (spa_streq(type, PW_TYPE_INTERFACE_Link)) {
		add_link(g, id, props);
	} else if (spa_streq(type, PW_TYPE_INTERFACE_Metadata) && g->metadata == NULL) {
		const char *mname = spa_dict_lookup(props, PW_KEY_METADATA_NAME);

		if (!spa_streq(mname, "default"))
			return;
		g->metadata = pw_registry_bind(g->registry, id, type, PW_VERSION_METADATA, 0);
		if (g->metadata == NULL)
			return;
		g->metadata_id = id;
		pw_metadata_add_listener(g->metadata, &g->metadata_listener, &metadata_events, g);
	}
}

static void registry_global_remove(void *data, uint32_t id)
{
	struct mic_graph *g = data;
	struct node_entry *e;
	struct link_entry *l;

	if (g->metadata != NULL && id == g->metadata_id) {
		drop_metadata(g);
		notify(g);
		return;
	}
	spa_list_for_each(l, &g->links, link) {
		if (l->id == id) {
			spa_list_remove(&l->link);
			free(l);
			notify(g);
			return;
		}
	}
	spa_list_for_each(e, &g->nodes, link) {
		if (e->id == id) {
			spa_list_remove(&e->link);
			free(e);
			notify(g);
			return;
		}
	}
}

static const struct pw_registry_events registry_events = {
	PW_VERSION_REGISTRY_EVENTS,
	.global = registry_global,
	.global_remove = registry_global_remove,
};

/* The server answers a sync after everything it sent before it, so once this one is done the
 * registry has announced every node that existed when we bound it: a name missing from the list
 * now is really missing, not just not announced yet. */
static void core_done(void *data, uint32_t id, int seq)
{
	struct mic_graph *g = data;

	if (id != PW_ID_CORE || seq != g->sync_seq || g->synced)
		return;
	g->synced = true;
	notify(g);
}

static const struct pw_core_events core_events = {
	PW_VERSION_CORE_EVENTS,
	.done = core_done,
};

int mic_graph_create(struct pw_core *core, const struct mic_graph_events *events, void *data,
		     struct mic_graph **out)
{
	struct mic_graph *g = calloc(1, sizeof(*g));

	if (g == NULL)
		return -ENOMEM;
	g->core = core;
	g->events = events;
	g->data = data;
	spa_list_init(&g->nodes);
	spa_list_init(&g->links);
	g->registry = pw_core_get_registry(core, PW_VERSION_REGISTRY, 0);
	if (g->registry == NULL) {
		int res = -errno;

		free(g);
		return res;
	}
	pw_registry_add_listener(g->registry, &g->registry_listener, &registry_events, g);
	pw_core_add_listener(core, &g->core_listener, &core_events, g);
	g->sync_seq = pw_core_sync(core, PW_ID_CORE, 0);
	*out = g;
	return 0;
}

void mic_graph_destroy(struct mic_graph *g)
{
	struct node_entry *e, *tmp;
	struct link_entry *l, *ltmp;

	if (g == NULL)
		return;
	drop_metadata(g);
	spa_hook_remove(&g->core_listener);
	spa_hook_remove(&g->registry_listener);
	pw_proxy_destroy((struct pw_proxy *)g->registry);
	spa_list_for_each_safe(e, tmp, &g->nodes, link) {
		spa_list_remove(&e->link);
		free(e);
	}
	spa_list_for_each_safe(l, ltmp, &g->links, link) {
		spa_list_remove(&l->link);
		free(l);
	}
	free(g);
}

enum mic_node_kind mic_graph_node_kind(const struct mic_graph *g, const char *name)
{
	struct node_entry *e;

	if (name == NULL)
		return MIC_NODE_NONE;
	spa_list_for_each(e, &g->nodes, link)
		if (spa_streq(e->name, name))
			return e->kind;
	return MIC_NODE_NONE;
}

bool mic_graph_synced(const struct mic_graph *g)
{
	return g->synced;
}

const char *mic_graph_default_source(const struct mic_graph *g)
{
	return g->default_source[0] != '\0' ? g->default_source : NULL;
}

const char *mic_graph_default_sink(const struct mic_graph *g)
{
	return g->default_sink[0] != '\0' ? g->default_sink : NULL;
}

/* The node of a kind with the highest priority.session, never `exclude`. */
static const char *best_of(const struct mic_graph *g, enum mic_node_kind kind, const char *exclude)
{
	const struct node_entry *e, *best = NULL;

	spa_list_for_each(e, &g->nodes, link) {
		if (e->kind != kind || spa_streq(e->name, exclude))
			continue;
		if (best == NULL || e->priority > best->priority)
			best = e;
	}
	return best ? best->name : NULL;
}

const char *mic_graph_best_source(const struct mic_graph *g, const char *exclude)
{
	/* Sources only: guessing a sink's monitor could record what the user hears. */
	return best_of(g, MIC_NODE_SOURCE, exclude);
}

const char *mic_graph_best_sink(const struct mic_graph *g, const char *exclude)
{
	return best_of(g, MIC_NODE_SINK, exclude);
}

unsigned mic_graph_links_of(const struct mic_graph *g, uint32_t node_id)
{
	const struct link_entry *l;
	unsigned n = 0;

	spa_list_for_each(l, &g->links, link)
		n += l->output_node == node_id || l->input_node == node_id;
	return n;
}

void mic_graph_for_each(const struct mic_graph *g, mic_graph_node_fn fn, void *data)
{
	const struct node_entry *e;

	spa_list_for_each(e, &g->nodes, link)
		if (e->kind != MIC_NODE_NONE)
			fn(data, e->name, e->description, e->kind);
}
