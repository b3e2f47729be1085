/*
 * The switch-over engine's real kernel: aliases by libnl (alias_ctl.c),
 * the pre-flight probe and the announcements on the network namespace's
 * kept packet socket (probe.c, announce.c).  Nothing is wrapped: the
 * engine calls these functions themselves, through one pointer.
 */
#include "autoconfig.h"
#include "announce.h"
#include "switchover.h"

const struct cmsha_switchover_kernel cmsha_switchover_kernel_real = {
	.alias_add = cmsha_alias_add,
	.alias_del = cmsha_alias_del,
	.announce = cmsha_announce_once,
	.probe_start = cmsha_probe_start,
	.probe_send_round = cmsha_probe_send_round,
	.probe_take_queued = cmsha_probe_on_readable,
	.probe_answers = cmsha_probe_answers,
	.probe_contended = cmsha_probe_contended,
	.probe_free = cmsha_probe_free,
};
