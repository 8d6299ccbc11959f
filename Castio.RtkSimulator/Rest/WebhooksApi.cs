using System.Text.Json.Nodes;
using static Castio.RtkSimulator.RestApi;
using static Castio.RtkSimulator.SimHttp;

namespace Castio.RtkSimulator;

/// <summary>Webhook subscriptions: <c>/{app}/webhooks</c>.</summary>
internal static class WebhooksApi
{
    public static void Map(RouteGroupBuilder kit, RtkSimulatorState s)
    {
        kit.MapPost("/{app}/webhooks", async (string app, HttpRequest req) =>
        {
            var body = await ReadObjectAsync(req);
            var (name, url, events, enabled) = WebhookFields(body, required: true);
            return Locked(s, () =>
            {
                var a = s.App(app);
                var w = new SimWebhook { Id = RtkSimulatorState.NewId(), Name = name!, Url = url!, Events = events!, Enabled = enabled ?? true, CreatedAt = s.Now, UpdatedAt = s.Now };
                a.Webhooks.Add(w.Id, w);
                return Ok(WebhookJson(w), 201);
            });
        });
        kit.MapGet("/{app}/webhooks", (string app) => Locked(s, () =>
            Ok(new JsonArray([.. s.App(app).Webhooks.Values.OrderBy(w => w.CreatedAt).Select(WebhookJson)]))));
        kit.MapGet("/{app}/webhooks/all", (string app) => Locked(s, () =>
        {
            s.App(app);
            return Ok(new JsonArray([.. WebhookPayloads.AllEvents.Select(e => (JsonNode)e)]));
        }));
        kit.MapGet("/{app}/webhooks/{id}", (string app, string id) => Locked(s, () => Ok(WebhookJson(Webhook(s, app, id)))));
        kit.MapPatch("/{app}/webhooks/{id}", async (string app, string id, HttpRequest req) =>
        {
            var body = await ReadObjectAsync(req);
            var (name, url, events, enabled) = WebhookFields(body, required: false);
            return Locked(s, () =>
            {
                var w = Webhook(s, app, id);
                if (name is not null) w.Name = name;
                if (url is not null) w.Url = url;
                if (events is not null) w.Events = events;
                if (enabled is not null) w.Enabled = enabled.Value;
                w.UpdatedAt = s.Now;
                return Ok(WebhookJson(w));
            });
        });
        kit.MapPut("/{app}/webhooks/{id}", async (string app, string id, HttpRequest req) =>
        {
            var body = await ReadObjectAsync(req);
            var (name, url, events, enabled) = WebhookFields(body, required: true);
            return Locked(s, () =>
            {
                var w = Webhook(s, app, id);
                w.Name = name!; w.Url = url!; w.Events = events!; w.Enabled = enabled ?? true; w.UpdatedAt = s.Now;
                return Ok(WebhookJson(w));
            });
        });
        kit.MapDelete("/{app}/webhooks/{id}", (string app, string id) => Locked(s, () =>
        {
            var w = Webhook(s, app, id);
            s.App(app).Webhooks.Remove(id);
            return Ok(WebhookJson(w));
        }));
    }

    private static SimWebhook Webhook(RtkSimulatorState s, string app, string id) =>
        s.App(app).Webhooks.TryGetValue(id, out var w) ? w : throw new SimulatorException(404, $"No webhook found with id {id}");

    private static (string? Name, string? Url, List<string>? Events, bool? Enabled) WebhookFields(JsonObject body, bool required)
    {
        var name = Str(body, "name", required, maxLength: 200);
        var url = Str(body, "url", required, maxLength: 2048);
        if (url is not null && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "https" && uri.Scheme != "http")))
            throw new SimulatorException(400, "url must be an absolute http(s) URI");
        var events = StrList(body, "events", required);
        if (events is not null)
        {
            if (events.Count == 0) throw new SimulatorException(400, "events must not be empty");
            foreach (var e in events) OneOf(e, "events", WebhookPayloads.AllEvents);
        }
        return (name, url, events, Bool(body, "enabled"));
    }

    private static JsonObject WebhookJson(SimWebhook w) => new()
    {
        ["id"] = w.Id, ["name"] = w.Name, ["url"] = w.Url, ["events"] = new JsonArray([.. w.Events.Select(e => (JsonNode)e)]), ["enabled"] = w.Enabled,
        ["created_at"] = RtkSimulatorState.Iso(w.CreatedAt), ["updated_at"] = RtkSimulatorState.Iso(w.UpdatedAt),
    };
}
