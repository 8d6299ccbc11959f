using System.Text.Json.Nodes;
using static Castio.RtkSimulator.SimHttp;

namespace Castio.RtkSimulator;

/// <summary>
/// Endpoints that stand in for RTK's clients and internals, under <see cref="Prefix"/>. Not part of
/// RTK; unauthenticated, so the simulator listens on loopback only. Listed at GET /__sim.
/// </summary>
internal static class ControlApi
{
    public const string Prefix = "/__sim";
    public const string WellKnownKeyPath = "/.well-known/webhooks.json";

    private static readonly (string Method, string Path, string What)[] Index =
    [
        ("GET", WellKnownKeyPath, "webhook public key: { success, data: { publicKey }, message }, the shape RTK serves"),
        ("POST", "/__sim/join", "{ token, display_name? } join as the participant owning the token; starts a session if none is live"),
        ("POST", "/__sim/peers/{peerId}/leave", "the peer leaves; the last leave ends the session after keep-alive"),
        ("POST", "/__sim/sessions/{sessionId}/end", "{ reason?: ALL_PARTICIPANTS_LEFT | HOST_ENDED_MEETING } end a live session now"),
        ("POST", "/__sim/sessions/{sessionId}/artefacts", "{ chat?, transcript?, summary? } (default all true) produce artefacts of an ended session + webhooks"),
        ("POST", "/__sim/recordings/{recordingId}/advance", "{ status? } INVOKED → RECORDING → UPLOADING → UPLOADED, or to ERRORED"),
        ("GET", "/__sim/files/{fileId}/{name}", "download an artefact (recording, transcript, summary, chat); 404 unknown, 403 once the link expired (7 days), download faults apply"),
        ("GET", "/__sim/file-downloads", "artefact download requests and how each was answered (served, status, truncated, dropped)"),
        ("DELETE", "/__sim/file-downloads", "forget download requests"),
        ("GET", "/__sim/requests", "REST requests received (method, path, query, body)"),
        ("DELETE", "/__sim/requests", "forget recorded requests"),
        ("GET", "/__sim/webhook-deliveries", "webhook delivery attempts"),
        ("DELETE", "/__sim/webhook-deliveries", "forget delivery attempts"),
        ("POST", "/__sim/webhook-deliveries/pause", "hold deliveries in the queue"),
        ("POST", "/__sim/webhook-deliveries/resume", "send held deliveries (newest first when reordering) and continue"),
        ("POST", "/__sim/account-webhooks", "{ url } subscribe a URL to every event of every app, present and future"),
        ("POST", "/__sim/apps", "{ name, id? } create an app"),
        ("GET", "/__sim/faults", "current fault settings"),
        ("PUT", "/__sim/faults", "{ down?, down_drops_connections?, latency_ms?, error_rate?, error_status?, files_down?, files_down_drops_connections?, files_error_status?, files_latency_ms?, files_expired? } change faults (files_* apply to artefact downloads only)"),
        ("POST", "/__sim/faults/fail-next", "{ count, status, retry_after_seconds? } fail the next REST calls"),
        ("POST", "/__sim/faults/files-fail-next", "{ count?, status? | truncate? | drop_connection? } fail the next artefact downloads: an error status (default 503), a body cut short, or a reset connection"),
        ("POST", "/__sim/faults/reset", "clear all faults"),
    ];

    public static IReadOnlyList<(string Method, string Path, string What)> Endpoints => Index;

    public static void Map(WebApplication web, RtkSimulatorState s, WebhookDispatcher dispatcher)
    {
        web.MapGet(WellKnownKeyPath, () => Json(200, new JsonObject
        {
            ["success"] = true, ["data"] = new JsonObject { ["publicKey"] = dispatcher.PublicKeyPem }, ["message"] = "",
        }));

        var sim = web.MapGroup(Prefix);
        sim.MapGet("/", () => Json(200, new JsonArray([.. Index.Select(e => new JsonObject { ["method"] = e.Method, ["path"] = e.Path, ["description"] = e.What })])));

        sim.MapPost("/join", async (HttpRequest req) =>
        {
            var body = await ReadObjectAsync(req);
            var join = s.Join(Str(body, "token", required: true, maxLength: 4096)!, Str(body, "display_name", maxLength: 256));
            return Json(200, new JsonObject
            {
                ["peer_id"] = join.PeerId, ["session_id"] = join.SessionId, ["participant_id"] = join.ParticipantId,
                ["meeting_id"] = join.MeetingId, ["app_id"] = join.AppId, ["session_started"] = join.SessionStarted,
            });
        });
        sim.MapPost("/peers/{peerId}/leave", (string peerId) => { s.Leave(peerId); return Results.NoContent(); });
        sim.MapPost("/sessions/{sessionId}/end", async (string sessionId, HttpRequest req) =>
        {
            var body = await ReadObjectAsync(req, allowEmpty: true);
            s.EndSession(sessionId, Str(body, "reason") ?? "ALL_PARTICIPANTS_LEFT");
            return Results.NoContent();
        });
        sim.MapPost("/sessions/{sessionId}/artefacts", async (string sessionId, HttpRequest req) =>
        {
            var body = await ReadObjectAsync(req, allowEmpty: true);
            s.ProduceArtefacts(sessionId, Bool(body, "chat") ?? true, Bool(body, "transcript") ?? true, Bool(body, "summary") ?? true);
            return Results.NoContent();
        });
        sim.MapPost("/recordings/{recordingId}/advance", async (string recordingId, HttpRequest req) =>
        {
            var body = await ReadObjectAsync(req, allowEmpty: true);
            var status = s.AdvanceRecording(recordingId, Str(body, "status"));
            return Json(200, new JsonObject { ["id"] = recordingId, ["status"] = status });
        });
        sim.MapGet("/files/{fileId}/{name}", (HttpContext context, string fileId) => FileDownloads.ServeAsync(context, s, fileId));
        sim.MapGet("/file-downloads", () => Json(200, new JsonArray([.. s.Downloads.Select(d => new JsonObject
        {
            ["file_id"] = d.FileId, ["file_name"] = d.FileName, ["status_code"] = d.Status, ["outcome"] = d.Outcome, ["at"] = RtkSimulatorState.Iso(d.At),
        })])));
        sim.MapDelete("/file-downloads", () => { s.ClearDownloads(); return Results.NoContent(); });
        sim.MapGet("/requests", () => Json(200, new JsonArray([.. s.Requests.Select(r => new JsonObject
        {
            ["method"] = r.Method, ["path"] = r.Path, ["query"] = r.Query, ["body"] = r.Body, ["received_at"] = RtkSimulatorState.Iso(r.ReceivedAt),
        })])));
        sim.MapDelete("/requests", () => { s.ClearRequests(); return Results.NoContent(); });
        sim.MapGet("/webhook-deliveries", () => Json(200, new JsonArray([.. s.Deliveries.Select(d => new JsonObject
        {
            ["delivery_id"] = d.DeliveryId, ["webhook_id"] = d.WebhookId, ["event"] = d.Event, ["url"] = d.Url, ["attempt"] = d.Attempt,
            ["status_code"] = d.StatusCode, ["error"] = d.Error, ["body"] = d.Body, ["at"] = RtkSimulatorState.Iso(d.At),
        })])));
        sim.MapDelete("/webhook-deliveries", () => { s.ClearDeliveries(); return Results.NoContent(); });
        sim.MapPost("/webhook-deliveries/pause", () => { s.PauseWebhookDelivery(); return Results.NoContent(); });
        sim.MapPost("/webhook-deliveries/resume", () => { s.ResumeWebhookDelivery(); return Results.NoContent(); });
        sim.MapPost("/account-webhooks", async (HttpRequest req) =>
        {
            var body = await ReadObjectAsync(req);
            s.RegisterAccountWebhook(Str(body, "url", required: true, maxLength: 2048)!);
            return Results.NoContent();
        });
        sim.MapPost("/apps", async (HttpRequest req) =>
        {
            var body = await ReadObjectAsync(req);
            var id = s.CreateApp(Str(body, "name", required: true, maxLength: 200)!, Str(body, "id", maxLength: 100));
            return Json(201, new JsonObject { ["id"] = id });
        });
        sim.MapGet("/faults", () => Json(200, FaultsJson(s.Faults)));
        sim.MapPut("/faults", async (HttpRequest req) =>
        {
            var body = await ReadObjectAsync(req);
            var f = s.Faults;
            f.Down = Bool(body, "down") ?? f.Down;
            f.DownDropsConnections = Bool(body, "down_drops_connections") ?? f.DownDropsConnections;
            f.LatencyMs = Int(body, "latency_ms", 0, 120_000) ?? f.LatencyMs;
            f.ErrorStatus = Int(body, "error_status", 400, 599) ?? f.ErrorStatus;
            f.FilesDown = Bool(body, "files_down") ?? f.FilesDown;
            f.FilesDownDropsConnections = Bool(body, "files_down_drops_connections") ?? f.FilesDownDropsConnections;
            f.FilesErrorStatus = Int(body, "files_error_status", 400, 599) ?? f.FilesErrorStatus;
            f.FilesLatencyMs = Int(body, "files_latency_ms", 0, 120_000) ?? f.FilesLatencyMs;
            f.FilesExpired = Bool(body, "files_expired") ?? f.FilesExpired;
            if (body["error_rate"] is JsonNode rate)
            {
                var value = rate.GetValue<double>();
                if (value is < 0 or > 1) throw new SimulatorException(400, "error_rate must be between 0 and 1");
                f.ErrorRate = value;
            }
            return Json(200, FaultsJson(f));
        });
        sim.MapPost("/faults/fail-next", async (HttpRequest req) =>
        {
            var body = await ReadObjectAsync(req);
            var count = Int(body, "count", 1, 1000) ?? 1;
            var status = Int(body, "status", 400, 599) ?? throw new SimulatorException(400, "status is required");
            var retryAfter = Int(body, "retry_after_seconds", 0, 3600);
            s.Faults.FailNext(count, status, retryAfter is int seconds ? TimeSpan.FromSeconds(seconds) : null);
            return Results.NoContent();
        });
        sim.MapPost("/faults/files-fail-next", async (HttpRequest req) =>
        {
            var body = await ReadObjectAsync(req);
            var count = Int(body, "count", 1, 1000) ?? 1;
            var truncate = Bool(body, "truncate") ?? false;
            var drop = Bool(body, "drop_connection") ?? false;
            var status = Int(body, "status", 400, 599);
            if ((truncate ? 1 : 0) + (drop ? 1 : 0) + (status is null ? 0 : 1) > 1)
                throw new SimulatorException(400, "Give one of status, truncate or drop_connection");
            var kind = truncate ? DownloadFailure.Truncate : drop ? DownloadFailure.DropConnection : DownloadFailure.Status;
            s.Faults.FailNextDownloads(count, kind, status ?? 503);
            return Results.NoContent();
        });
        sim.MapPost("/faults/reset", () => { s.Faults.Reset(); return Results.NoContent(); });
    }

    private static JsonObject FaultsJson(SimulatorFaults f) => new()
    {
        ["down"] = f.Down, ["down_drops_connections"] = f.DownDropsConnections, ["latency_ms"] = f.LatencyMs, ["error_rate"] = f.ErrorRate, ["error_status"] = f.ErrorStatus,
        ["files_down"] = f.FilesDown, ["files_down_drops_connections"] = f.FilesDownDropsConnections, ["files_error_status"] = f.FilesErrorStatus,
        ["files_latency_ms"] = f.FilesLatencyMs, ["files_expired"] = f.FilesExpired, ["files_fail_next_pending"] = f.PendingDownloadFailures,
    };
}
