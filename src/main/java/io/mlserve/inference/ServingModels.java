package io.mlserve.inference;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The sessions a process serves with: the selected model (swapped atomically) and a few models loaded for
 * {@code ?model=} overrides (least recently used are closed first). Replaced models are retired, so their sessions
 * close once the requests holding them finish.
 */
public final class ServingModels implements AutoCloseable {
  private final AtomicReference<LoadedModel> selected = new AtomicReference<>();
  private final int overrideCapacity;
  private final LinkedHashMap<String, LoadedModel> overrides = new LinkedHashMap<>(16, 0.75f, true);

  public ServingModels(int overrideCapacity) {
    this.overrideCapacity = overrideCapacity;
  }

  /** The selected model with a reference taken for the caller, or null when none is loaded. */
  public LoadedModel acquireSelected() {
    while (true) {
      LoadedModel m = selected.get();
      if (m == null) {
        return null;
      }
      if (m.tryAcquire()) {
        return m;
      }
      // closed between the read and the acquire: a swap already put its successor in place
    }
  }

  /** The selected model without taking a reference (for listings). */
  public LoadedModel selected() {
    return selected.get();
  }

  /** Makes {@code next} the selected model and retires the previous one; returns the previous one. */
  public LoadedModel swapSelected(LoadedModel next) {
    LoadedModel old = selected.getAndSet(next);
    if (old != null && old != next) {
      old.retire();
    }
    return old;
  }

  /** An override model by spec ({@code name} or {@code name:version}) with a reference taken, or null. */
  public synchronized LoadedModel acquireOverride(String spec) {
    LoadedModel m = overrides.get(spec);
    return m != null && m.tryAcquire() ? m : null;
  }

  /** Keeps {@code model} for {@code spec}, retiring what it replaces and the least recently used beyond capacity. */
  public synchronized void putOverride(String spec, LoadedModel model) {
    LoadedModel old = overrides.put(spec, model);
    if (old != null && old != model) {
      old.retire();
    }
    Iterator<Map.Entry<String, LoadedModel>> it = overrides.entrySet().iterator();
    while (overrides.size() > overrideCapacity && it.hasNext()) {
      LoadedModel evicted = it.next().getValue();
      it.remove();
      evicted.retire();
    }
  }

  /** Drops the overrides of {@code name} that follow its production version (that version just changed). */
  public synchronized void dropProductionOverride(String name) {
    dropOverride(name);
  }

  /** Drops one override session ({@code name} or {@code name:version}); requests holding it finish first. */
  public synchronized void dropOverride(String spec) {
    LoadedModel m = overrides.remove(spec);
    if (m != null) {
      m.retire();
    }
  }

  public synchronized List<LoadedModel> overrides() {
    return new ArrayList<>(overrides.values());
  }

  public int overrideCapacity() {
    return overrideCapacity;
  }

  @Override
  public synchronized void close() {
    swapSelected(null);
    overrides.values().forEach(LoadedModel::retire);
    overrides.clear();
  }
}
