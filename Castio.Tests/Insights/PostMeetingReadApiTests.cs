using System.Net;
using System.Text.Json.Nodes;
using Castio.Tests.Auth;
using Castio.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Castio.Tests.Insights;

/// <summary>The post-meeting routes over a whole session driven through the simulator.</summary>
public sealed class PostMeetingReadApiTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AFinishedSessionReadsBackWithParticipantsRecordingTranscriptSummaryAndChat()
    {
        await using var world = await InsightsWorld.StartAsync(azurite);
        var host = world.Org.Host;
        var (meetingId, _, rtkSessionId, ada, bob) = await world.FinishedSessionAsync(host, new { title = "Invite only", recordingAutoStart = true, memberAccess = "invited" });
        var client = world.Client;

        var page = await (await client.SendAsync(HttpMethod.Get, $"/api/meetings/{meetingId}/sessions", token: host.AccessToken)).JsonAsync();
        var listed = Assert.Single(page["items"]!.AsArray())!.AsObject();
        Assert.Null(page["continuation"]);
        Assert.Equal(rtkSessionId, (string?)listed["rtkSessionId"]);
        Assert.Equal(2, (int)listed["peakParticipants"]!);
        Assert.Equal(2, (int)listed["participantCount"]!);
        Assert.NotNull((string?)listed["endedAt"]);
        Assert.Equal(["chat", "summary", "transcript"], listed["artefacts"]!.AsArray().Select(a => (string)a!["kind"]!).Where(k => !k.StartsWith("recording:", StringComparison.Ordinal)).Order());
        Assert.All(listed["artefacts"]!.AsArray(), a => Assert.Equal("stored", (string?)a!["state"]));

        // By Castio's id and by RTK's, with the people: Ada's two connections are one participant.
        foreach (var id in new[] { (string)listed["id"]!, rtkSessionId })
        {
            var session = await (await client.SendAsync(HttpMethod.Get, $"/api/meetings/{meetingId}/sessions/{id}", token: host.AccessToken)).JsonAsync();
            var people = session["participants"]!.AsArray();
            Assert.Equal(new[] { ada, bob }.Order(), people.Select(p => (string)p!["participantId"]!).Order());
            Assert.Equal("Ada", (string?)people.Single(p => (string)p!["participantId"]! == ada)!["name"]);
            Assert.All(people, p => Assert.NotNull((string?)p!["leftAt"]));
            var duration = (long)session["durationSeconds"]!;
            Assert.All(people, p => Assert.InRange((long)p!["durationSeconds"]!, 0, duration));
        }

        // Recordings: stored, with a link to Castio's own Blob copy (never the simulator's file URL).
        var recordings = await (await client.SendAsync(HttpMethod.Get, $"/api/meetings/{meetingId}/recordings", token: host.AccessToken)).JsonAsync();
        var recording = Assert.Single(recordings["items"]!.AsArray())!;
        Assert.Equal("stored", (string?)recording["status"]);
        var url = new Uri((string)recording["downloadUrl"]!);
        Assert.NotEqual(new Uri(world.Sim.ServerUrl).Authority, url.Authority);
        Assert.Contains("sig=", url.Query, StringComparison.Ordinal);
        using var http = new HttpClient();
        var bytes = await http.GetByteArrayAsync(url, Ct);
        Assert.Equal((long)recording["sizeBytes"]!, bytes.Length);

        // Transcript: JSON entries, and WebVTT when asked for it.
        var transcript = await (await client.SendAsync(HttpMethod.Get, $"/api/meetings/{meetingId}/transcripts", token: host.AccessToken)).JsonAsync();
        Assert.Equal(rtkSessionId, (string?)transcript["rtkSessionId"]);
        var entries = transcript["items"]!.AsArray();
        Assert.Contains(entries, e => (string?)e!["name"] == "Bob" && ((string?)e["text"])!.Contains("Hello from Bob", StringComparison.Ordinal));
        var vttRequest = new HttpRequestMessage(HttpMethod.Get, $"/api/meetings/{meetingId}/transcripts");
        vttRequest.Headers.Authorization = new("Bearer", host.AccessToken);
        vttRequest.Headers.Accept.ParseAdd("text/vtt");
        var vtt = await client.SendAsync(vttRequest, Ct);
        Assert.Equal("text/vtt", vtt.Content.Headers.ContentType?.MediaType);
        var vttText = await vtt.Content.ReadAsStringAsync(Ct);
        Assert.StartsWith("WEBVTT", vttText, StringComparison.Ordinal);
        Assert.Contains("00:00:00.000 --> ", vttText, StringComparison.Ordinal);
        Assert.Contains("Ada: Hello from Ada", vttText, StringComparison.Ordinal);

        var summary = await client.SendAsync(HttpMethod.Get, $"/api/meetings/{meetingId}/summary", token: host.AccessToken);
        Assert.Equal("text/markdown", summary.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("# Summary", await summary.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        var chat = await client.SendAsync(HttpMethod.Get, $"/api/meetings/{meetingId}/chat-export", token: host.AccessToken);
        Assert.Equal("text/csv", chat.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Hello from Bob", await chat.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        // Reconciling again fills a peer Castio lost from RTK's session participants, and only for managers.
        var peers = world.Store.Peers;
        var lost = await peers.QueryAsync<Azure.Data.Tables.TableEntity>(e => e.PartitionKey == Castio.Core.PostMeeting.PostMeetingStore.Org(host.OrgId) && e.GetString("RtkSessionId") == rtkSessionId, cancellationToken: Ct).FirstAsync(Ct);
        await peers.DeleteEntityAsync(lost.PartitionKey, lost.RowKey, cancellationToken: Ct);
        var reconcile = await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/sessions/{rtkSessionId}/reconcile", token: host.AccessToken);
        Assert.Equal(HttpStatusCode.OK, reconcile.StatusCode);
        Assert.Equal(1, (int)(await reconcile.JsonAsync())["peersFilled"]!);
        Assert.True((await peers.GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>(lost.PartitionKey, lost.RowKey, cancellationToken: Ct)).HasValue);
        var unknown = await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/sessions/nope/reconcile", token: host.AccessToken);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        // Generating the summary again goes to RTK (which has the transcript).
        var trigger = await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/summary", token: host.AccessToken);
        Assert.Equal(HttpStatusCode.Accepted, trigger.StatusCode);
        Assert.Equal(rtkSessionId, (string?)(await trigger.JsonAsync())["rtkSessionId"]);

        // Owners and admins read every meeting; the member and the other host do not see an invite-only meeting of someone else;
        // another org's owner sees nothing at all.
        foreach (var who in new[] { world.Org.Owner, world.Org.Admin })
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Get, $"/api/meetings/{meetingId}/recordings", token: who.AccessToken)).StatusCode);
        var stranger = await AuthTestKit.RegisterAsync(client);
        foreach (var who in new[] { world.Org.Member, world.Org.OtherHost, stranger })
        {
            foreach (var path in new[] { "sessions", "recordings", "transcripts", "summary", "chat-export", $"sessions/{rtkSessionId}" })
                Assert.Equal("meeting.not_found", (string?)(await (await client.SendAsync(HttpMethod.Get, $"/api/meetings/{meetingId}/{path}", token: who.AccessToken)).ProblemAsync(HttpStatusCode.NotFound))["code"]);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/summary", token: world.Org.OtherHost.AccessToken)).StatusCode);

        // Bad input names the field; unknown sessions are a 404 with their own code.
        var bad = await (await client.SendAsync(HttpMethod.Get, $"/api/meetings/{meetingId}/sessions?limit=500", token: host.AccessToken)).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("limit", bad["errors"]!.AsObject().Select(e => e.Key));
        bad = await (await client.SendAsync(HttpMethod.Get, $"/api/meetings/{meetingId}/sessions?continuation=nope", token: host.AccessToken)).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("continuation", bad["errors"]!.AsObject().Select(e => e.Key));
        var missing = await (await client.SendAsync(HttpMethod.Get, $"/api/meetings/{meetingId}/sessions/not-a-session", token: host.AccessToken)).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal("postmeeting.session_not_found", (string?)missing["code"]);
    }

    [Fact]
    public async Task AMeetingWithoutArtefactsSaysSoAndAnOrgOpenMeetingIsReadableByMembers()
    {
        await using var world = await InsightsWorld.StartAsync(azurite);
        var (meetingId, _) = await world.StartMeetingAsync(world.Org.Host, new { title = "No session yet" });

        var page = await (await world.Client.SendAsync(HttpMethod.Get, $"/api/meetings/{meetingId}/sessions", token: world.Org.Member.AccessToken)).JsonAsync();
        Assert.Empty(page["items"]!.AsArray());
        var recordings = await (await world.Client.SendAsync(HttpMethod.Get, $"/api/meetings/{meetingId}/recordings", token: world.Org.OtherHost.AccessToken)).JsonAsync();
        Assert.Empty(recordings["items"]!.AsArray());
        foreach (var path in new[] { "transcripts", "summary", "chat-export" })
        {
            var problem = await (await world.Client.SendAsync(HttpMethod.Get, $"/api/meetings/{meetingId}/{path}", token: world.Org.Member.AccessToken)).ProblemAsync(HttpStatusCode.NotFound);
            Assert.Equal("postmeeting.artefact_not_found", (string?)problem["code"]);
        }
        var none = await (await world.Client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/summary", token: world.Org.Host.AccessToken)).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal("postmeeting.session_not_found", (string?)none["code"]);
        Assert.Equal(HttpStatusCode.Forbidden, (await world.Client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/summary", token: world.Org.Member.AccessToken)).StatusCode);
    }
    [Fact]
    public async Task StoredCopiesAreRemovedOnceTheOrgsArtefactRetentionHasPassed()
    {
        await using var world = await InsightsWorld.StartAsync(azurite);
        var settings = await world.Client.SendAsync(HttpMethod.Patch, "/api/diagnostics/settings", new { artefactRetentionDays = 1 }, token: world.Owner.AccessToken);
        Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
        var host = world.Org.Host;
        await world.FinishedSessionAsync(host, new { title = "Short-lived", recordingAutoStart = true });

        var container = world.App.Services.GetRequiredService<Azure.Storage.Blobs.BlobServiceClient>()
            .GetBlobContainerClient(world.Store.OrgContainerName(host.OrgId));
        async Task<int> BlobsAsync() => await container.GetBlobsAsync(cancellationToken: Ct).CountAsync(Ct);
        Assert.True(await BlobsAsync() >= 4, "recording, transcript, summary and chat are copied");

        var sweeper = world.App.Services.GetRequiredService<Castio.Core.Retention.ExpirySweeper>();
        await sweeper.SweepAsync(Ct);
        Assert.True(await BlobsAsync() >= 4, "nothing is due yet");

        world.App.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromHours(2));
        await sweeper.SweepAsync(Ct);
        Assert.Equal(0, await BlobsAsync());
    }
}
