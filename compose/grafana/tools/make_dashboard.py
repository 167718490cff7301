#!/usr/bin/env python3
"""Writes compose/grafana/dashboards/mlserve.json (run from the repo root after editing the panels here).
DashboardMetricsTest checks that every metric these queries name is served by a running mlserve."""
import json

panels = []
def panel(title, exprs, unit="short", kind="timeseries", w=12, h=8, legend=None, desc=""):
    i = len(panels)
    targets = [{"refId": chr(65 + n), "expr": e, "legendFormat": (legend[n] if legend else "")}
               for n, e in enumerate(exprs)]
    panels.append({
        "id": i + 1, "type": kind, "title": title, "description": desc,
        "datasource": {"type": "prometheus", "uid": "prometheus"},
        "gridPos": {"x": (sum(p["gridPos"]["w"] for p in panels) % 24), "y": 0, "w": w, "h": h},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {"legend": {"displayMode": "list", "placement": "bottom"}},
        "targets": targets})

def row_layout():
    x = y = 0; rowh = 0
    for p in panels:
        g = p["gridPos"]
        if x + g["w"] > 24:
            x = 0; y += rowh; rowh = 0
        g["x"], g["y"] = x, y
        x += g["w"]; rowh = max(rowh, g["h"])

# HTTP
panel("Request rate by route", ['sum by (route) (rate(vertx_http_server_requests_total[1m]))'], "reqps", legend=["{{route}}"])
panel("p99 latency by route", ['histogram_quantile(0.99, sum by (le, route) (rate(vertx_http_server_response_time_seconds_bucket[5m])))'], "s", legend=["{{route}}"])
panel("Error rate (5xx and 4xx share of requests)", [
    'sum(rate(vertx_http_server_requests_total{code=~"5.."}[1m])) / clamp_min(sum(rate(vertx_http_server_requests_total[1m])), 1e-9)',
    'sum(rate(vertx_http_server_requests_total{code=~"4.."}[1m])) / clamp_min(sum(rate(vertx_http_server_requests_total[1m])), 1e-9)'],
    "percentunit", legend=["5xx", "4xx"])
panel("Requests in flight and connections by instance", [
    'sum by (instance) (vertx_http_server_active_requests)', 'sum by (instance) (vertx_http_server_active_connections)'],
    legend=["requests {{instance}}", "connections {{instance}}"])
# recommendations
panel("Recommendation cache hit ratio by tier", [
    'sum by (tier) (rate(mlserve_recs_cache_lookups_total{result="hit"}[5m])) / clamp_min(sum by (tier) (rate(mlserve_recs_cache_lookups_total[5m])), 1e-9)'],
    "percentunit", legend=["{{tier}}"])
panel("Recommendations served by source", ['sum by (source) (rate(mlserve_recs_requests_total[1m]))'], "reqps", legend=["{{source}}"])
panel("Recommendation batch jobs", [
    'sum by (state) (increase(mlserve_jobs_total{kind="recs.compute"}[1h]))',
    'max(mlserve_recs_batch_users_per_second)',
    'rate(mlserve_recs_batch_duration_seconds_sum[1h]) / clamp_min(rate(mlserve_recs_batch_duration_seconds_count[1h]), 1e-9)'],
    legend=["jobs {{state}} /h", "users/s (last batch)", "mean batch seconds"])
# inference
panel("Predict latency p50 / p99", [
    'histogram_quantile(0.5, sum by (le) (rate(mlserve_predict_latency_seconds_bucket[5m])))',
    'histogram_quantile(0.99, sum by (le) (rate(mlserve_predict_latency_seconds_bucket[5m])))'], "s", legend=["p50", "p99"])
panel("Predict batching (rows per ONNX Runtime run, requests per api bus message)", [
    'sum(rate(mlserve_batch_size_sum[1m])) / clamp_min(sum(rate(mlserve_batch_size_count[1m])), 1e-9)',
    'histogram_quantile(0.99, sum by (le) (rate(mlserve_batch_size_bucket[5m])))',
    'sum(rate(mlserve_predict_coalesced_requests_sum[1m]))'
    ' / clamp_min(sum(rate(mlserve_predict_coalesced_requests_count[1m])), 1e-9)'],
    legend=["rows per run, mean", "rows per run, p99", "requests per bus message, mean"])
panel("Predictions by model and version", [
    'sum by (model, version) (rate(mlserve_predict_rows_total[1m]))'], "rowsps", legend=["{{model}} v{{version}}"])
panel("Model version serving (production)", ['max by (model, version) (mlserve_model_serving)'], kind="stat",
      legend=["{{model}} v{{version}}"], w=6)
panel("ONNX Runtime sessions open", ['sum by (instance) (mlserve_model_sessions_open)'], kind="stat", w=6, legend=["{{instance}}"])
# ML loop
panel("Feed rows", ['sum by (outcome) (rate(mlserve_feed_rows_total[1m]))', 'sum(rate(mlserve_feed_quarantined_total[1m]))'],
      "rowsps", legend=["{{outcome}}", "quarantined"])
panel("Training runs", ['sum by (status) (increase(mlserve_train_experiments_total[1h]))',
                        'sum by (kind, state) (increase(mlserve_jobs_total{kind=~"train|tune|pipeline"}[1h]))'],
      legend=["experiments {{status}} /h", "{{kind}} {{state}} /h"])
# JVM and event bus
panel("JVM heap used by instance", ['sum by (instance) (jvm_memory_used_bytes{area="heap"})'], "bytes", legend=["{{instance}}"])
panel("GC pause time", ['sum by (instance) (rate(jvm_gc_pause_seconds_sum[1m]))'], "s", legend=["{{instance}}"])
panel("Event-bus messages by address", ['sum by (address) (rate(vertx_eventbus_processed_total[1m]))'], "ops", legend=["{{address}}"])
panel("Event-bus pending messages", ['sum by (address) (vertx_eventbus_pending)'], legend=["{{address}}"])

row_layout()
dash = {
    "uid": "mlserve", "title": "mlserve", "tags": ["mlserve"], "timezone": "browser", "schemaVersion": 39,
    "version": 1, "refresh": "10s", "time": {"from": "now-1h", "to": "now"},
    "templating": {"list": []}, "annotations": {"list": []}, "editable": True, "panels": panels,
}
with open("compose/grafana/dashboards/mlserve.json", "w") as f:
    json.dump(dash, f, indent=2)
    f.write("\n")
print(len(panels), "panels")
