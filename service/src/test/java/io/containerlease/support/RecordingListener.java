package io.containerlease.support;

import io.containerlease.lease.EndReason;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Writes down what a lease listener hears, in words and in order: a hand-written fake for the core's tests. */
public final class RecordingListener implements LeaseListener {
    public final List<String> heard = new CopyOnWriteArrayList<>();

    @Override
    public void onProvisioning(Lease lease) {
        heard.add("provisioning " + lease.state().wireName());
    }

    @Override
    public void onRunning(Lease lease) {
        heard.add("running " + lease.state().wireName());
    }

    @Override
    public void onRunningFromPool(Lease lease) {
        heard.add("running from the pool " + lease.state().wireName());
    }

    @Override
    public void onRecovered(Lease lease) {
        heard.add("recovered " + lease.id().value());
    }

    @Override
    public void onEnding(LeaseId id, EndReason reason) {
        heard.add("ending " + reason.wireName());
    }

    @Override
    public void onEnded(Lease lease) {
        heard.add("ended " + lease.endReason().wireName());
    }

    /** What was said of ends alone ("ending …", "ended …"). */
    public List<String> ends() {
        return heard.stream().filter(line -> line.startsWith("end")).toList();
    }
}
