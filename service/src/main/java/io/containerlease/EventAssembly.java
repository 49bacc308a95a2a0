package io.containerlease;

import io.containerlease.activity.ActivityRecorder;
import io.containerlease.events.EventHub;
import io.containerlease.events.EventSources;

/**
 * What happens, told: the activity log's writer (who did what), and the events for GET /api/events
 * and /ws/events, with what feeds them.
 */
record EventAssembly(ActivityRecorder activity, EventHub hub, EventSources sources) {

    static EventAssembly build(CoreAssembly core) {
        var clock = core.base().clock();
        var activity = new ActivityRecorder(
                core.store().activityLog(), core.store(), core.base().redactor(), clock);
        core.leases().addListener(activity);
        var hub = new EventHub(clock, core.config().eventHistoryBytes(), EventHub.DEFAULT_HISTORY, EventHub.HEARTBEAT);
        var sources = new EventSources(hub, core.store());
        core.leases().addListener(sources);
        activity.addListener(sources::activity);
        return new EventAssembly(activity, hub, sources);
    }
}
