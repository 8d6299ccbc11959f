using System.Net;
using System.Security.Cryptography;
using System.Text;
using Azure.Storage.Blobs;
using Castio.Core.PostMeeting;
using Castio.Core.Webhooks;
using Castio.Tests.Auth;
using Castio.Tests.Infrastructure;
using Castio.Tests.Meetings;
using Microsoft.Extensions.DependencyInjection;

namespace Castio.Tests.PostMeeting;

/// <summary>Whole sessions driven through the simulator; the record, the Blob copies and the meeting afterwards.</summary>
public class PostMeetingSessionTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ASessionEndsWithItsParticipantsRecordingTranscriptSummaryAndChatCopiedAndTheMeetingEnded()
    {
        await using var world = await PostMeetingWorld.StartAsync(azurite);
        var (meetingId, rtkMeetingId) = await world.StartMeetingAsync();
        var ada = await world.AddParticipantAsync(rtkMeetingId, "Ada");
        var bob = await world.AddParticipantAsync(rtkMeetingId, "Bob");

        var adaPeer = await world.JoinAsync(ada.Token);
        var sessionId = (string)adaPeer["session_id"]!;
        var bobPeer = await world.JoinAsync(bob.Token);
        // RTK's times are whole seconds: Ada and Bob overlap by more than one, or the peak could read 1.
        await Task.Delay(TimeSpan.FromMilliseconds(1100), Ct);
        await world.LeaveAsync((string)bobPeer["peer_id"]!);
        var bobAgain = await world.JoinAsync(bob.Token);
        await world.LeaveAsync((string)bobAgain["peer_id"]!);
        await world.LeaveAsync((string)adaPeer["peer_id"]!);
        // The summary is left out: Castio triggers it after the transcript has waited its grace period.
        await world.ArtefactsAsync(sessionId, chat: true, transcript: true, summary: false);

        var key = new SessionKey(world.Owner.OrgId, meetingId, sessionId);
        await world.CompletedAsync(key);

        var record = (await world.Store.GetSessionRecordAsync(key, Ct))!;
        Assert.NotNull(record.StartedAt);
        Assert.NotNull(record.EndedAt);
        Assert.Equal(2, record.TotalParticipants);
        Assert.Equal(2, record.PeakParticipants);
        Assert.Equal(0, record.LiveParticipants);
        var bobRow = Assert.Single(record.Participants, p => p.ParticipantId == bob.ParticipantId);
        Assert.Equal(2, bobRow.Peers);
        Assert.Equal("Bob", bobRow.Name);
        Assert.NotNull(bobRow.LeftAt);
        Assert.Contains(record.Participants, p => p.ParticipantId == ada.ParticipantId && p.Peers == 1);

        // Every artefact is in the org's own container, byte for byte what RTK served.
        var artefacts = await world.Store.ListArtefactsAsync(key, Ct);
        Assert.Equal(["chat", "summary", "transcript"], artefacts.Select(a => a.Kind).Order());
        var recordings = await world.Store.ListRecordingsAsync(world.Owner.OrgId, meetingId, Ct);
        var recording = Assert.Single(recordings);
        Assert.Equal("UPLOADED", recording.Status);
        Assert.Equal(sessionId, recording.RtkSessionId);
        var container = world.App.Services.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(world.Store.OrgContainerName(world.Owner.OrgId));
        using var http = new HttpClient();
        foreach (var (state, blobName, url, bytes, format) in artefacts.Select(a => (a.CopyState, a.BlobName, a.DownloadUrl, a.StoredBytes, a.Format))
                     .Append((recording.CopyState, recording.BlobName, recording.DownloadUrl, recording.StoredBytes, recording.Format)))
        {
            Assert.Equal(CopyStates.Stored, state);
            var copy = (await container.GetBlobClient(blobName).DownloadContentAsync(Ct)).Value.Content.ToArray();
            Assert.Equal(await http.GetByteArrayAsync(url, Ct), copy);
            Assert.Equal(copy.Length, bytes);
            Assert.False(string.IsNullOrEmpty(format));
        }
        Assert.Equal("mp4", recording.Format);
        Assert.Equal(2044680, recording.FileSize);

        // The summary came because Castio asked for it, and the meeting is over in Castio too.
        Assert.Single(world.Sim.Calls("POST", $"/sessions/{sessionId}/summary"));
        var meeting = await (await world.Client.SendAsync(HttpMethod.Get, $"/api/meetings/{meetingId}", token: world.Owner.AccessToken)).JsonAsync();
        Assert.Equal("ended", (string?)meeting["status"]);

        // The ledger holds every delivery, processed, without links; analytics count the session once.
        var deliveries = await world.Ledger.ListAsync(world.Owner.OrgId, TestClock.Start.AddDays(-1), TestClock.Start.AddDays(1), 1000, cancellationToken: Ct);
        Assert.Contains(deliveries, d => d.Event == "meeting.ended" && d.Status == WebhookDeliveryStatus.Processed && d.RtkSessionId == sessionId);
        Assert.All(deliveries, d => Assert.DoesNotContain("http", d.PayloadSummary ?? "", StringComparison.Ordinal));
        Assert.All(deliveries, d => Assert.Null(d.Body));
        var day = Assert.Single(await world.Store.ListDailyAnalyticsAsync(world.Owner.OrgId, DateOnly.FromDateTime(record.StartedAt!.Value.UtcDateTime), DateOnly.FromDateTime(record.StartedAt.Value.UtcDateTime), Ct));
        Assert.Equal(1, day.Sessions);
        Assert.Equal(2, day.PeakConcurrency);
        Assert.Equal(1, day.Recordings);
        Assert.Equal(2044680, day.RecordingBytes);
        Assert.Equal("video", day.MeetingType);
    }

    [Fact]
    public async Task APermanentRoomGoesInactiveAfterItsSessionAndIsJoinedAgainInANewSession()
    {
        await using var world = await PostMeetingWorld.StartAsync(azurite);
        var (meetingId, rtkMeetingId) = await world.StartMeetingAsync(new { title = "Team room", schedulingType = "permanent", vanitySlug = "room-" + Guid.NewGuid().ToString("N")[..8] });
        var ada = await world.AddParticipantAsync(rtkMeetingId, "Ada");

        var first = await world.JoinAsync(ada.Token);
        await world.LeaveAsync((string)first["peer_id"]!);
        var firstKey = new SessionKey(world.Owner.OrgId, meetingId, (string)first["session_id"]!);
        await world.CompletedAsync(firstKey);

        var inactive = world.Sim.Calls("PATCH", "/meetings/" + rtkMeetingId);
        Assert.Equal("INACTIVE", (string?)MeetingTestKit.Body(inactive[^1])["status"]);
        var meeting = await (await world.Client.SendAsync(HttpMethod.Get, $"/api/meetings/{meetingId}", token: world.Owner.AccessToken)).JsonAsync();
        Assert.Equal("active", (string?)meeting["status"]);

        // The join flow sets the room ACTIVE again; the next join is a new session with its own record.
        var again = await ReactivateAsync(world, meetingId);
        Assert.Equal(rtkMeetingId, again);
        var second = await world.JoinAsync(ada.Token);
        Assert.NotEqual(first["session_id"]!.ToString(), second["session_id"]!.ToString());
        await world.LeaveAsync((string)second["peer_id"]!);
        await world.CompletedAsync(new SessionKey(world.Owner.OrgId, meetingId, (string)second["session_id"]!));
        var sessions = await world.Store.ListSessionsAsync(world.Owner.OrgId, meetingId, Ct);
        Assert.Equal(2, sessions.Count);
        Assert.All(sessions, s => Assert.NotNull(s.EndedAt));
    }

    private static async Task<string> ReactivateAsync(PostMeetingWorld world, Guid meetingId)
    {
        await using var scope = world.App.Services.CreateAsyncScope();
        var active = await scope.ServiceProvider.GetRequiredService<Castio.Core.Meetings.MeetingService>().EnsureActiveForJoinAsync(world.Owner.OrgId, meetingId, Ct);
        Assert.True(active.Succeeded, active.Error?.Code);
        return active.Value.RtkMeetingId!;
    }

    [Fact]
    public async Task AParticipantReportedAfterTheRecordWasCompletedIsCountedInTheRecordAndAnalytics()
    {
        using var signing = RSA.Create(2048);
        var options = PostMeetingWorld.DefaultSimulator();
        options.WebhookSigningKey = signing;
        await using var world = await PostMeetingWorld.StartAsync(azurite, options);
        var (meetingId, rtkMeetingId) = await world.StartMeetingAsync(new { title = "Late facts" });
        var ada = await world.AddParticipantAsync(rtkMeetingId, "Ada");
        var bob = await world.AddParticipantAsync(rtkMeetingId, "Bob");
        var adaPeer = await world.JoinAsync(ada.Token);
        var sessionId = (string)adaPeer["session_id"]!;
        var bobPeer = (string)(await world.JoinAsync(bob.Token))["peer_id"]!;
        await world.LeaveAsync(bobPeer);
        await world.LeaveAsync((string)adaPeer["peer_id"]!);
        await world.ArtefactsAsync(sessionId, chat: true, transcript: true, summary: true);
        var key = new SessionKey(world.Owner.OrgId, meetingId, sessionId);
        var completed = await world.CompletedAsync(key);
        var day = DateOnly.FromDateTime(completed.StartedAt!.Value.UtcDateTime);
        Assert.Equal(2, Assert.Single(await world.Store.ListDailyAnalyticsAsync(world.Owner.OrgId, day, day, Ct)).Participants);

        // RTK delivers Carol's join and leave only now (webhooks are unordered and late): Bob's deliveries with Carol's ids.
        var carolId = Guid.NewGuid().ToString("D");
        var carolPeer = Guid.NewGuid().ToString("D");
        foreach (var name in new[] { "meeting.participantJoined", "meeting.participantLeft" })
        {
            var bobs = world.Sim.State.Deliveries.First(d => d.Event == name && d.Body.Contains(bob.ParticipantId, StringComparison.Ordinal));
            var body = Encoding.UTF8.GetBytes(bobs.Body.Replace(bob.ParticipantId, carolId).Replace(bobPeer, carolPeer).Replace("\"Bob\"", "\"Carol\""));
            using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/rtk") { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new("application/json");
            request.Headers.TryAddWithoutValidation("rtk-signature", Convert.ToBase64String(signing.SignData(body, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)));
            request.Headers.TryAddWithoutValidation("rtk-uuid", Guid.NewGuid().ToString());
            Assert.Equal(HttpStatusCode.OK, (await world.Client.SendAsync(request, Ct)).StatusCode);
        }

        // The finished record is reopened and counted again: three participants, in the session and in the day's figures.
        var analytics = await Eventually.GetAsync(async () => (await world.Store.ListDailyAnalyticsAsync(world.Owner.OrgId, day, day, Ct)) is [{ Participants: 3 } row] ? row : null,
            TimeSpan.FromSeconds(60), Ct);
        Assert.Equal(1, analytics.Sessions);
        var record = (await world.Store.GetSessionRecordAsync(key, Ct))!;
        Assert.Equal(3, record.TotalParticipants);
        Assert.Contains(record.Participants, p => p.ParticipantId == carolId && p.Name == "Carol" && p.LeftAt is not null);
    }
}
