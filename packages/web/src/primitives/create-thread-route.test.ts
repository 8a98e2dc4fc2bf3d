import { createRoot } from "solid-js";
import { afterEach, describe, expect, it } from "vitest";
import { createThreadRoute, threadFromPath } from "./create-thread-route.ts";

afterEach(() => history.replaceState(null, "", "/"));

describe("thread routes", () => {
  it("reads a thread id from /t/<id> only", () => {
    expect(threadFromPath("/t/t_abc-1")).toBe("t_abc-1");
    expect(threadFromPath("/t/t_abc/")).toBe("t_abc");
    expect(threadFromPath("/")).toBeUndefined();
    expect(threadFromPath("/t/<script>")).toBeUndefined();
  });

  it("follows navigation and back/forward, and stops listening when disposed", () => {
    history.replaceState(null, "", "/t/t_1");
    const { route, navigate, dispose } = createRoot((dispose) => {
      const [route, navigate] = createThreadRoute();
      return { route, navigate, dispose };
    });
    expect(route()).toBe("t_1");
    navigate("t_2");
    expect(location.pathname).toBe("/t/t_2");
    expect(route()).toBe("t_2");
    history.replaceState(null, "", "/t/t_3");
    window.dispatchEvent(new PopStateEvent("popstate"));
    expect(route()).toBe("t_3");
    dispose();
    history.replaceState(null, "", "/t/t_4");
    window.dispatchEvent(new PopStateEvent("popstate"));
    expect(route()).toBe("t_3");
  });
});
