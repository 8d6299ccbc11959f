using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Castio.Core.PostMeeting;
using Castio.Core.Webhooks;
using Castio.Tests.Auth;
using Castio.Tests.Infrastructure;
using Castio.Tests.PostMeeting;

namespace Castio.Tests.Webhooks;

/// <summary>POST /webhooks/rtk over HTTP: verification first, the ledger, dedupe, and RTK's duplicates and reordering.</summary>
public class WebhookApiTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly RSA Key = RSA.Create(2048);

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, byte[] body, string? uuid, string? signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/rtk") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        if (signature is not null) request.Headers.TryAddWithoutValidation("rtk-signature", signature);
        if (uuid is not null) request.Headers.TryAddWithoutValidation("rtk-uuid", uuid);
        request.Headers.TryAddWithoutValidation("rtk-webhook-id", "hook-1");
        return await client.SendAsync(request, Ct);
    }

    private static string Sign(byte[] body) => Convert.ToBase64String(Key.SignData(body, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    private static RtkSimulator.RtkSimulatorOptions Options()
    {
        var o = PostMeetingWorld.DefaultSimulator();
        o.WebhookSigningKey = Key;
        return o;
    }

    [Fact]
    public async Task ABadOrMissingSignatureIsRefusedBeforeAnythingIsRecorded()
    {
        await using var world = await PostMeetingWorld.StartAsync(azurite, Options());
        var body = Encoding.UTF8.GetBytes("""{"event":"meeting.started","meeting":{"id":"m-1","sessionId":"s-1"}}""");

        var forged = await PostAsync(world.Client, body, "u-1", Convert.ToBase64String(RSA.Create(2048).SignData(body, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)));
        var missing = await PostAsync(world.Client, body, "u-2", null);
        var tampered = await PostAsync(world.Client, [.. body, (byte)' '], "u-3", Sign(body));

        Assert.Equal("rtk_signature_invalid", (string?)(await forged.ProblemAsync(HttpStatusCode.Unauthorized))["code"]);
        Assert.Equal("rtk_signature_missing", (string?)(await missing.ProblemAsync(HttpStatusCode.BadRequest))["code"]);
        Assert.Equal(HttpStatusCode.Unauthorized, tampered.StatusCode);
        Assert.Empty(await world.Ledger.ListAsync(null, TestClock.Start.AddDays(-1), TestClock.Start.AddDays(1), 10, cancellationToken: Ct));
    }

    [Fact]
    public async Task AnEventOfAnUnknownMeetingIsRecordedAndAcknowledgedAndARepeatIsADuplicateOnlyOnceProcessed()
    {
        await using var world = await PostMeetingWorld.StartAsync(azurite, Options());
        var unknown = Encoding.UTF8.GetBytes("""{"event":"meeting.started","meeting":{"id":"not-ours","sessionId":"s-9","startedAt":"2026-01-05T09:00:00Z"}}""");

        var ack = await (await PostAsync(world.Client, unknown, "u-unknown", Sign(unknown))).JsonAsync();

        Assert.Equal(WebhookDeliveryStatus.Failed, (string?)ack["status"]);
        Assert.Equal(WebhookService.UnknownMeeting, (string?)ack["code"]);
        var row = await world.Ledger.FindAsync(null, Guid.Parse((string)ack["deliveryId"]!), Ct);
        Assert.NotNull(row);
        Assert.Equal("not-ours", row.RtkMeetingId);
        Assert.NotNull(row.Body); // kept for a replay once the meeting is known

        // A known meeting: the first delivery is processed, the same rtk-uuid again and the same fact under a new uuid are duplicates.
        var (meetingId, rtkMeetingId) = await world.StartMeetingAsync();
        var started = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["event"] = "meeting.started",
            ["meeting"] = new JsonObject { ["id"] = rtkMeetingId, ["sessionId"] = "s-1", ["startedAt"] = "2026-01-05T09:00:00Z" },
        }.ToJsonString());
        var first = await (await PostAsync(world.Client, started, "u-1", Sign(started))).JsonAsync();
        var again = await (await PostAsync(world.Client, started, "u-1", Sign(started))).JsonAsync();
        var retried = await (await PostAsync(world.Client, started, "u-2", Sign(started))).JsonAsync();

        Assert.Equal(WebhookDeliveryStatus.Processed, (string?)first["status"]);
        Assert.Equal($"{WebhookDeliveryStatus.Duplicate} {WebhookService.DuplicateDelivery}", $"{again["status"]} {again["code"]}");
        Assert.Equal($"{WebhookDeliveryStatus.Duplicate} {WebhookService.DuplicateFact}", $"{retried["status"]} {retried["code"]}");
        var duplicate = await world.Ledger.FindAsync(world.Owner.OrgId, Guid.Parse((string)retried["deliveryId"]!), Ct);
        Assert.Equal(Guid.Parse((string)first["deliveryId"]!), duplicate!.DuplicateOf);
        Assert.Equal(meetingId, duplicate.MeetingId);
        var listed = await world.Ledger.ListAsync(world.Owner.OrgId, TestClock.Start.AddDays(-1), TestClock.Start.AddDays(1), 10, cancellationToken: Ct);
        Assert.Equal(3, listed.Count);
        Assert.Equal(2, listed.Count(d => d.Status == WebhookDeliveryStatus.Duplicate));
    }

    [Fact]
    public async Task ADeliveryIsRecordedInOneLedgerTransactionWithItsOutcomeAndTheClaimOfItsFact()
    {
        var log = new StorageRequestLog();
        await using var world = await PostMeetingWorld.StartAsync(azurite, Options(), configure: app => app.WithStorageRequestLog(log, azurite.ConnectionString));
        var (_, rtkMeetingId) = await world.StartMeetingAsync();
        byte[] Started(string session) => Encoding.UTF8.GetBytes(new JsonObject
        {
            ["event"] = "meeting.started",
            ["meeting"] = new JsonObject { ["id"] = rtkMeetingId, ["sessionId"] = session, ["startedAt"] = "2026-01-05T09:00:00Z" },
        }.ToJsonString());
        var warm = Started("s-0");
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(world.Client, warm, "u-0", Sign(warm))).StatusCode); // tables created, day filed for retention

        log.Reset();
        var body = Started("s-1");
        var ack = await (await PostAsync(world.Client, body, "u-1", Sign(body))).JsonAsync();

        Assert.Equal(WebhookDeliveryStatus.Processed, (string?)ack["status"]);
        // The session row's write goes alone (its own table); the ledger's row, outcome included, and the claim go in one
        // transaction, and nothing else touches the ledger table (no outcome written afterwards).
        var ledgerTable = world.App.NamePrefix + WebhookLedger.DeliveriesTable;
        Assert.Single(log.Requests, r => r.EndsWith("/$batch", StringComparison.Ordinal));
        Assert.DoesNotContain(log.Requests, r => r.Contains(ledgerTable, StringComparison.Ordinal));
        var row = await world.Ledger.FindAsync(world.Owner.OrgId, Guid.Parse((string)ack["deliveryId"]!), Ct);
        Assert.Equal(WebhookDeliveryStatus.Processed, row!.Status);
        Assert.NotNull(row.ProcessedAt);
        Assert.NotNull(row.DurationMs);
        Assert.NotNull(row.Body);
    }

    [Fact]
    public async Task ARepeatOfAFactThisProcessRecordedIsLoggedAsItsDuplicateWithoutApplyingItAgain()
    {
        var log = new StorageRequestLog();
        await using var world = await PostMeetingWorld.StartAsync(azurite, Options(), configure: app => app.WithStorageRequestLog(log, azurite.ConnectionString));
        var (_, rtkMeetingId) = await world.StartMeetingAsync();
        var body = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["event"] = "meeting.participantJoined",
            ["meeting"] = new JsonObject { ["id"] = rtkMeetingId, ["sessionId"] = "s-1", ["startedAt"] = "2026-01-05T09:00:00Z" },
            ["participant"] = new JsonObject { ["peerId"] = "peer-1", ["userDisplayName"] = "Ada", ["joinedAt"] = "2026-01-05T09:00:05Z" },
        }.ToJsonString());
        var peers = world.App.NamePrefix + PostMeetingStore.PeersTable;

        log.Reset();
        var first = await (await PostAsync(world.Client, body, "u-1", Sign(body))).JsonAsync();
        var firstWrotePeer = log.Requests.Any(r => r.Contains(peers, StringComparison.Ordinal));
        log.Reset();
        var sameUuid = await (await PostAsync(world.Client, body, "u-1", Sign(body))).JsonAsync();
        var newUuid = await (await PostAsync(world.Client, body, "u-2", Sign(body))).JsonAsync();

        Assert.Equal(WebhookDeliveryStatus.Processed, (string?)first["status"]);
        Assert.True(firstWrotePeer);
        Assert.Equal(WebhookDeliveryStatus.Duplicate, (string?)sameUuid["status"]);
        Assert.Equal(WebhookDeliveryStatus.Duplicate, (string?)newUuid["status"]);
        Assert.DoesNotContain(log.Requests, r => r.Contains(peers, StringComparison.Ordinal));
        var repeats = await Task.WhenAll(new[] { sameUuid, newUuid }.Select(a => world.Ledger.FindAsync(world.Owner.OrgId, Guid.Parse((string)a["deliveryId"]!), Ct)));
        Assert.Equal([WebhookService.DuplicateDelivery, WebhookService.DuplicateFact], repeats.Select(r => r!.ErrorCode));
        Assert.All(repeats, r => Assert.Equal(Guid.Parse((string)first["deliveryId"]!), r!.DuplicateOf));
    }

    [Fact]
    public async Task ARecordingsNextStatusIsWrittenWithoutARereadUnlessTheRowChangedSinceAndTheCopysPropertiesStay()
    {
        var log = new StorageRequestLog();
        await using var world = await PostMeetingWorld.StartAsync(azurite, Options(), configure: app => app.WithStorageRequestLog(log, azurite.ConnectionString));
        var (meetingId, rtkMeetingId) = await world.StartMeetingAsync();
        var recordings = world.App.NamePrefix + PostMeetingStore.RecordingsTable;
        async Task<string?> StatusAsync(string status, string uuid)
        {
            var body = Encoding.UTF8.GetBytes(new JsonObject
            {
                ["event"] = "recording.statusUpdate",
                ["meeting"] = new JsonObject { ["id"] = rtkMeetingId, ["sessionId"] = "s-1" },
                ["recording"] = new JsonObject { ["id"] = "rec-1", ["status"] = status, ["meetingId"] = rtkMeetingId, ["roomUUID"] = "s-1" },
            }.ToJsonString());
            return (string?)(await (await PostAsync(world.Client, body, uuid, Sign(body))).JsonAsync())["status"];
        }
        int Reads() => log.Requests.Count(r => r.StartsWith("GET ", StringComparison.Ordinal) && r.Contains(recordings, StringComparison.Ordinal));

        Assert.Equal(WebhookDeliveryStatus.Processed, await StatusAsync("RECORDING", "u-1"));
        log.Reset();
        Assert.Equal(WebhookDeliveryStatus.Processed, await StatusAsync("UPLOADING", "u-2"));
        var nextReads = Reads();
        // The copier (another writer) changes the row: the next status finds its ETag stale and reads the row.
        var table = world.Store.Recordings;
        var row = (await table.GetEntityAsync<RecordingEntity>(PostMeetingStore.Org(world.Owner.OrgId), PostMeetingStore.RecordingRow(meetingId, "rec-1"), cancellationToken: Ct)).Value;
        await table.UpdateEntityAsync(new Azure.Data.Tables.TableEntity(row.PartitionKey, row.RowKey) { [nameof(RecordingEntity.BlobName)] = "copied.mp4" }, row.ETag, Azure.Data.Tables.TableUpdateMode.Merge, Ct);
        log.Reset();
        Assert.Equal(WebhookDeliveryStatus.Processed, await StatusAsync("UPLOADED", "u-3"));
        var staleReads = Reads();

        Assert.Equal(0, nextReads);
        Assert.Equal(1, staleReads);
        var stored = (await table.GetEntityAsync<RecordingEntity>(row.PartitionKey, row.RowKey, cancellationToken: Ct)).Value;
        Assert.Equal(("UPLOADED", "copied.mp4"), (stored.Status, stored.BlobName));
    }

    [Fact]
    public async Task DuplicatedAndReorderedDeliveriesFromRtkGiveOneCorrectRecord()
    {
        var options = Options();
        options.DuplicateDeliveries = true;
        options.ReorderDeliveries = true;
        await using var world = await PostMeetingWorld.StartAsync(azurite, options);
        var (meetingId, rtkMeetingId) = await world.StartMeetingAsync(new { title = "Noisy", recordingAutoStart = true });
        var ada = await world.AddParticipantAsync(rtkMeetingId, "Ada");
        var bob = await world.AddParticipantAsync(rtkMeetingId, "Bob");

        // Everything queues, then goes out newest first, each delivery twice with the same rtk-uuid.
        world.Sim.State.PauseWebhookDelivery();
        var a = await world.JoinAsync(ada.Token);
        var b = await world.JoinAsync(bob.Token);

        // RTK's times have whole seconds: a leave in the joins' second would count before them (and hide the overlap).
        await Task.Delay(TimeSpan.FromSeconds(1.1), Ct);
        await world.LeaveAsync((string)b["peer_id"]!);
        await world.LeaveAsync((string)a["peer_id"]!);
        var sessionId = (string)a["session_id"]!;
        await world.ArtefactsAsync(sessionId, chat: true, transcript: true, summary: true);
        world.Sim.State.ResumeWebhookDelivery();

        // Every queued delivery answered (the simulator notes a 200 once the answer is back, a moment after the ledger row).
        var settled = DateTime.UtcNow.AddSeconds(30);
        IReadOnlyList<WebhookDeliveryEntity> ledger;
        int delivered;
        do
        {
            await Task.Delay(100, Ct);
            delivered = world.Sim.State.Deliveries.Count(d => d.StatusCode == 200);
            ledger = await world.Ledger.ListAsync(world.Owner.OrgId, TestClock.Start.AddDays(-1), TestClock.Start.AddDays(1), 1000, cancellationToken: Ct);
        }
        while ((delivered == 0 || delivered != ledger.Count || ledger.Any(d => d.Status is WebhookDeliveryStatus.Received or WebhookDeliveryStatus.Processing)) && DateTime.UtcNow < settled);

        var key = new SessionKey(world.Owner.OrgId, meetingId, sessionId);
        await world.CompletedAsync(key);
        var record = (await world.Store.GetSessionRecordAsync(key, Ct))!;
        Assert.Equal(2, record.TotalParticipants);
        Assert.Equal(2, record.PeakParticipants);
        Assert.All(record.Participants, p => Assert.NotNull(p.LeftAt));
        Assert.Equal("UPLOADED", Assert.Single(await world.Store.ListRecordingsAsync(world.Owner.OrgId, meetingId, Ct)).Status);
        Assert.All(record.Artefacts, s => Assert.Equal(CopyStates.Stored, s.State));

        Assert.Equal(delivered, ledger.Count);
        Assert.All(ledger.GroupBy(d => d.BusinessKey), g => Assert.Equal(1, g.Count(d => d.Status == WebhookDeliveryStatus.Processed)));
        Assert.Equal(ledger.Count / 2, ledger.Count(d => d.Status == WebhookDeliveryStatus.Duplicate));
    }
}
