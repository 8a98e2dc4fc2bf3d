/// <reference path="./.sst/platform/config.d.ts" />

/**
 * Murmur on AWS. This first version declares the app and its stages; the functions,
 * the streaming Function URL, Upstash Redis, the site and the router are added by the
 * cloud issue (see README "Deploy"). Nothing here is deployed from CI.
 */
export default $config({
  app(input) {
    const production = input?.stage === "production";
    return {
      name: "murmur",
      home: "aws",
      // Production keeps its data and cannot be removed by accident; preview stages go away.
      removal: production ? "retain" : "remove",
      protect: production,
    };
  },
  async run() {
    const sessionSecret = new sst.Secret("SessionSecret");
    const webhookSecret = new sst.Secret("WebhookSecret");
    return { secrets: [sessionSecret.name, webhookSecret.name].join(", ") };
  },
});
