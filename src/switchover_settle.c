/*
 * A reload's wait for the kernel's events, beside the engine's own (a
 * takeover's confirm_added): the kernel ACKs an address before it has sent
 * every notification (IPv6 ones come a little later), so a reload that
 * changed the aliases waits until netlink shows them as wanted, at most
 * CMSHA_CONFIRM_MAX_MS, before it reports its end: the MIB then shows the
 * reload's end state, not a half-way one.  The loop goes on meanwhile.
 */
#include "autoconfig.h"
#include "switchover_private.h"

/* Once: the refresh that took the queued events may have ended the wait already. */
static void settled(struct cmsha_switchover *s, bool shown)
{
	cmsha_settled then = s->settle.then;
	void *arg = s->settle.arg;

	if (!then)
		return;
	if (s->settle.timer)
		s->env->timer_cancel(s->env->ctx, s->settle.timer);
	s->settle.timer = 0;
	s->settle.then = NULL;
	s->settle.arg = NULL;
	then(arg, shown);
}

static void on_settle_deadline(void *arg)
{
	struct cmsha_switchover *s = arg;

	s->settle.timer = 0;
	settled(s, cmsha_aliases_held(s, s->settle.held));
}

void cmsha_switchover_settle(struct cmsha_switchover *s, bool held, cmsha_settled then,
			     void *arg)
{
	s->settle = (struct cmsha_settle){ .then = then, .arg = arg, .held = held };
	/* cmshad's refresh tells the engine of the events it takes (kernel_changed). */
	if (cmsha_aliases_shown(s, held) || !s->settle.then) {
		settled(s, true);
		return;
	}
	/* No timer to wait with: the end state is what netlink shows now. */
	s->settle.timer = s->env->timer_add(s->env->ctx, CMSHA_CONFIRM_MAX_MS,
					    on_settle_deadline, s);
	if (!s->settle.timer)
		settled(s, false);
}

bool cmsha_switchover_settling(const struct cmsha_switchover *s)
{
	return s->settle.then != NULL;
}

void cmsha_settle_kernel_changed(struct cmsha_switchover *s)
{
	if (s->settle.then && cmsha_aliases_held(s, s->settle.held))
		settled(s, true);
}

void cmsha_settle_cancel(struct cmsha_switchover *s)
{
	if (s->settle.timer)
		s->env->timer_cancel(s->env->ctx, s->settle.timer);
	s->settle = (struct cmsha_settle){ 0 };
}
