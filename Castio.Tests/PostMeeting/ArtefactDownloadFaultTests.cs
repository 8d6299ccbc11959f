using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Castio.Core.PostMeeting;
using Castio.Core.Retention;
using Castio.Core.Webhooks;
using Castio.RtkSimulator;
using Castio.Tests.Infrastructure;
using Castio.Tests.Rtk;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Castio.Tests.PostMeeting;

/// <summary>RTK's artefact bucket failing: the simulator's download faults, and what the post-meeting orchestration makes of them.</summary>
public class ArtefactDownloadFaultTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheSimulatorsDownloadLinksFailAsToldWithoutTouchingTheRestApiAndAnswer403OnceExpired()
    {
        var clock = new FakeTimeProvider(TestClock.Start);
        await using var sim = await RtkSimulatorHost.StartAsync(new RtkSimulatorOptions { TimeProvider = clock }, Ct);
        var rtk = RtkTestKit.Client(sim);
        var live = await RtkTestKit.LiveMeetingAsync(sim, rtk, Ct);
        sim.State.EndSession(live.Join.SessionId);
        sim.State.ProduceArtefacts(live.Join.SessionId, chat: true, transcript: false, summary: false);
        var url = (await rtk.Sessions.GetChatExportAsync(live.AppId, live.Join.SessionId, Ct)).ChatDownloadUrl!;
        using var http = new HttpClient { BaseAddress = new Uri(sim.ServerUrl) };
        // A new connection per request: SocketsHttpHandler silently retries a reset on a reused one.
        http.DefaultRequestHeaders.ConnectionClose = true;
        var whole = await http.GetByteArrayAsync(url, Ct);
        Assert.Contains("Mary Sue", System.Text.Encoding.UTF8.GetString(whole));

        // Queued failures are used one per download, in order: a status, a body cut short, a reset connection.
        foreach (var failure in new object[] { new { count = 1, status = 502 }, new { truncate = true }, new { drop_connection = true } })
            Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsJsonAsync("/__sim/faults/files-fail-next", failure, Ct)).StatusCode);
        var both = await http.PostAsJsonAsync("/__sim/faults/files-fail-next", new { status = 500, truncate = true }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, both.StatusCode);
        Assert.Equal(3, (int)(await http.GetFromJsonAsync<JsonObject>("/__sim/faults", Ct))!["files_fail_next_pending"]!);

        Assert.Equal(HttpStatusCode.BadGateway, (await http.GetAsync(url, Ct)).StatusCode);
        var truncated = await Assert.ThrowsAnyAsync<Exception>(() => http.GetByteArrayAsync(url, Ct));
        Assert.True(truncated is HttpRequestException or IOException, truncated.ToString());
        var dropped = await Assert.ThrowsAnyAsync<Exception>(() => http.GetByteArrayAsync(url, Ct));
        Assert.True(dropped is HttpRequestException or IOException, dropped.ToString());
        Assert.Equal(whole, await http.GetByteArrayAsync(url, Ct));

        // A bucket outage fails every download, and only downloads: the REST API still answers.
        var set = await http.PutAsJsonAsync("/__sim/faults", new { files_down = true, files_error_status = 500 }, Ct);
        var faults = (await set.Content.ReadFromJsonAsync<JsonObject>(Ct))!;
        Assert.True((bool)faults["files_down"]!);
        Assert.False((bool)faults["down"]!);
        Assert.Equal(HttpStatusCode.InternalServerError, (await http.GetAsync(url, Ct)).StatusCode);
        Assert.Equal(url, (await rtk.Sessions.GetChatExportAsync(live.AppId, live.Join.SessionId, Ct)).ChatDownloadUrl);
        Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsync("/__sim/faults/reset", null, Ct)).StatusCode);
        Assert.Equal(whole, await http.GetByteArrayAsync(url, Ct));

        // Expired links answer 403 as pre-signed URLs do: when told to, and once their seven days have passed.
        await http.PutAsJsonAsync("/__sim/faults", new { files_expired = true }, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync(url, Ct)).StatusCode);
        await http.PostAsync("/__sim/faults/reset", null, Ct);
        clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        var expired = await http.GetAsync(url, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, expired.StatusCode);
        Assert.Contains("Request has expired", await expired.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/__sim/files/nope/chat.csv", Ct)).StatusCode);

        var log = (await http.GetFromJsonAsync<JsonArray>("/__sim/file-downloads", Ct))!.Select(d => (string)d!["outcome"]!).ToList();
        Assert.Equal(["served", "status", "truncated", "dropped", "served", "status", "served", "status", "status", "status"], log);
    }

    [Fact]
    public async Task DownloadsThatFailForAWhileAreRetriedUntilEveryArtefactIsStoredOnceByteForByte()
    {
        await using var world = await PostMeetingWorld.StartAsync(azurite);
        var (meetingId, rtkMeetingId) = await world.StartMeetingAsync();
        var ada = await world.AddParticipantAsync(rtkMeetingId, "Ada");
        var joined = await world.JoinAsync(ada.Token);
        var sessionId = (string)joined["session_id"]!;
        var key = new SessionKey(world.Owner.OrgId, meetingId, sessionId);

        // RTK's bucket fails the next four downloads, each its own way. A copy gets five attempts, so however the
        // failures fall on the four artefacts, the activity retries carry every copy through.
        await world.FilesFailNextAsync(new { status = 503 });
        await world.FilesFailNextAsync(new { truncate = true });
        await world.FilesFailNextAsync(new { drop_connection = true });
        await world.FilesFailNextAsync(new { status = 500 });
        await world.LeaveAsync((string)joined["peer_id"]!);
        await world.ArtefactsAsync(sessionId, chat: true, transcript: true, summary: true);
        await world.CompletedAsync(key, TimeSpan.FromSeconds(120));

        var artefacts = await world.Store.ListArtefactsAsync(key, Ct);
        Assert.Equal(["chat", "summary", "transcript"], artefacts.Select(a => a.Kind).Order());
        var recording = Assert.Single(await world.Store.ListRecordingsAsync(world.Owner.OrgId, meetingId, Ct));
        var copies = artefacts.Select(a => (a.CopyState, a.BlobName, Url: a.DownloadUrl!, a.StoredBytes))
            .Append((recording.CopyState, recording.BlobName, Url: recording.DownloadUrl!, recording.StoredBytes)).ToList();
        Assert.All(copies, c => Assert.Equal(CopyStates.Stored, c.CopyState));

        // Every failure was used on one of these files, each of which was then served exactly once.
        var downloads = await world.DownloadsAsync();
        var fileIds = copies.Select(c => FileId(c.Url)).ToList();
        Assert.Equal(["dropped", "status", "status", "truncated"], downloads.Where(d => d.Outcome != "served").Select(d => d.Outcome).Order());
        Assert.Equal([500, 503], downloads.Where(d => d.Outcome == "status").Select(d => d.Status!.Value).Order());
        Assert.All(downloads, d => Assert.Contains(d.FileId, fileIds));
        Assert.Equal(fileIds.Order(), downloads.Where(d => d.Outcome == "served").Select(d => d.FileId).Order());

        // The org's container holds one blob per artefact, byte for byte what RTK serves, each filed once for retention.
        var container = world.App.Services.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(world.Store.OrgContainerName(world.Owner.OrgId));
        var blobs = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, $"{meetingId:N}/", Ct)) blobs.Add(blob.Name);
        Assert.Equal(copies.Select(c => c.BlobName!).Order(), blobs.Order());
        foreach (var (_, blobName, url, bytes) in copies)
        {
            var copy = (await container.GetBlobClient(blobName).DownloadContentAsync(Ct)).Value.Content.ToArray();
            Assert.Equal(await world.Control.GetByteArrayAsync(url, Ct), copy);
            Assert.Equal(copy.Length, bytes);
        }
        var expiries = world.App.Services.GetRequiredService<ExpiryStore>().Expiries;
        var filed = new List<string>();
        await foreach (var e in expiries.QueryAsync<ExpiryEntity>(e => e.Kind == ExpiryTarget.BlobKind, cancellationToken: Ct)) filed.Add(e.TargetPartition);
        Assert.Equal(blobs.Order(), filed.Order());

        // Each webhook fact was processed once, and the session counted once.
        var ledger = await world.Ledger.ListAsync(world.Owner.OrgId, TestClock.Start.AddDays(-1), TestClock.Start.AddDays(1), 1000, cancellationToken: Ct);
        Assert.All(ledger.GroupBy(d => d.BusinessKey), g => Assert.Equal(1, g.Count(d => d.Status == WebhookDeliveryStatus.Processed)));
        var record = (await world.Store.GetSessionRecordAsync(key, Ct))!;
        var day = Assert.Single(await world.Store.ListDailyAnalyticsAsync(world.Owner.OrgId, DateOnly.FromDateTime(record.StartedAt!.Value.UtcDateTime), DateOnly.FromDateTime(record.StartedAt.Value.UtcDateTime), Ct));
        Assert.Equal(1, day.Sessions);
        Assert.Equal(1, day.Recordings);
    }

    [Fact]
    public async Task ADownloadThatKeepsFailingUntilItsLinkExpiresIsRecordedAsExpiredAndNotTriedAgain()
    {
        // The simulator's clock moves with Castio's, so "seven days later" is the same moment for both.
        var simClock = new FakeTimeProvider(TestClock.Start);
        var options = PostMeetingWorld.DefaultSimulator();
        options.TimeProvider = simClock;
        await using var world = await PostMeetingWorld.StartAsync(azurite, options);
        var (meetingId, rtkMeetingId) = await world.StartMeetingAsync();
        var ada = await world.AddParticipantAsync(rtkMeetingId, "Ada");
        var joined = await world.JoinAsync(ada.Token);
        var sessionId = (string)joined["session_id"]!;
        var key = new SessionKey(world.Owner.OrgId, meetingId, sessionId);

        // RTK's bucket is down from before the session ends and stays down, expired links included.
        await world.FaultsAsync(new { files_down = true });
        await world.LeaveAsync((string)joined["peer_id"]!);
        await world.ArtefactsAsync(sessionId, chat: true, transcript: false, summary: false);

        // Castio keeps trying both copies (the chat export and the recording) and records nothing yet.
        await Eventually.GetAsync(async () =>
        {
            var failed = (await world.DownloadsAsync()).Where(d => d.Outcome == "status").GroupBy(d => d.FileId).ToList();
            return failed.Count == 2 && failed.All(g => g.Count() >= 2) ? failed : null;
        }, TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(CopyStates.Pending, (await world.Store.GetArtefactAsync(key, ArtefactKinds.Chat, Ct))!.CopyState);
        Assert.Equal(CopyStates.Pending, Assert.Single(await world.Store.ListRecordingsAsync(world.Owner.OrgId, meetingId, Ct)).CopyState);

        // Seven days pass with the bucket still failing: the links expire, and RTK's REST API only has the same expired links.
        simClock.Advance(TimeSpan.FromDays(8));
        world.App.Clock.Advance(TimeSpan.FromDays(8));
        await world.CompletedAsync(key, TimeSpan.FromSeconds(120));

        var chat = (await world.Store.GetArtefactAsync(key, ArtefactKinds.Chat, Ct))!;
        Assert.Equal(CopyStates.Expired, chat.CopyState);
        Assert.Contains("expired", chat.CopyNote);
        Assert.Null(chat.BlobName);
        var recording = Assert.Single(await world.Store.ListRecordingsAsync(world.Owner.OrgId, meetingId, Ct));
        Assert.Equal(CopyStates.Expired, recording.CopyState);
        var record = (await world.Store.GetSessionRecordAsync(key, Ct))!;
        Assert.Contains(record.Artefacts, a => a.State == CopyStates.Expired);
        Assert.DoesNotContain(record.Artefacts, a => a.State == CopyStates.Stored);

        // Nothing was ever served, and once recorded as expired nobody asks the bucket again.
        var attempts = (await world.DownloadsAsync()).Count;
        Assert.DoesNotContain(await world.DownloadsAsync(), d => d.Outcome == "served");
        await Task.Delay(TimeSpan.FromSeconds(3), Ct);
        Assert.Equal(attempts, (await world.DownloadsAsync()).Count);
    }

    private static string FileId(string url) => new Uri(url).Segments[3].TrimEnd('/');
}
