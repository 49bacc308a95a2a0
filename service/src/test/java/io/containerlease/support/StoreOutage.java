package io.containerlease.support;

import io.containerlease.lease.LeaseStore;
import io.containerlease.lease.StoreException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicBoolean;

/** A lease store that stops answering (every call throws {@link StoreException}) while {@code down} is set. */
public final class StoreOutage {
    private StoreOutage() {}

    public static LeaseStore wrap(LeaseStore store, AtomicBoolean down) {
        return (LeaseStore) Proxy.newProxyInstance(
                LeaseStore.class.getClassLoader(), new Class<?>[] {LeaseStore.class}, (proxy, method, args) -> {
                    if (down.get()
                            && !method.getName().equals("instanceId")
                            && !method.getName().equals("serverId")) {
                        throw new StoreException("the store is down (a test's outage)", null);
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
