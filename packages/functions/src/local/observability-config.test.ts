import { describe, expect, it } from "vitest";
import { testConfig } from "../testing/config.ts";
import { bannerLines } from "./banner.ts";
import { readObservability } from "./config.ts";

describe("observability settings", () => {
  it("are off by default, and the metrics listener binds to loopback unless told", () => {
    expect(readObservability({})).toEqual({ metricsPort: null, metricsHost: "127.0.0.1", metricsToken: null, otlpEndpoint: null });
    expect(readObservability({ METRICS_PORT: "9464", METRICS_HOST: "0.0.0.0" })).toMatchObject({
      metricsPort: 9464,
      metricsHost: "0.0.0.0",
    });
  });

  it("stop start-up naming the variable when wrong", () => {
    expect(() => readObservability({ METRICS_PORT: "http" })).toThrow(/METRICS_PORT/);
    expect(() => readObservability({ METRICS_PORT: "70000" })).toThrow(/METRICS_PORT/);
    expect(() => readObservability({ METRICS_TOKEN: "short" })).toThrow(/METRICS_TOKEN.*16/);
    expect(() => readObservability({ OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
  });

  it("show in the banner: where metrics answer, and where traces go", () => {
    const local = { config: testConfig(), dataDir: "/tmp/d", secretsFrom: "environment" };
    const on = bannerLines(
      { url: "http://127.0.0.1:3000", servesWeb: true, metricsUrl: "http://127.0.0.1:9464/metrics" },
      { ...local, observability: { metricsToken: "metrics-token-0123456789", otlpEndpoint: "http://127.0.0.1:4318" } },
    ).join("\n");
    expect(on).toContain(
      "Metrics      http://127.0.0.1:9464/metrics (Prometheus), http://127.0.0.1:3000/api/metrics (Bearer METRICS_TOKEN)",
    );
    expect(on).toContain("Traces       OTLP to http://127.0.0.1:4318");
    const off = bannerLines({ url: "http://127.0.0.1:3000", servesWeb: true, metricsUrl: null }, local).join("\n");
    expect(off).toContain("Metrics      off (set METRICS_PORT or METRICS_TOKEN)");
  });
});
