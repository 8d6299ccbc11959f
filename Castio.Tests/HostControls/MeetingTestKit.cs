using System.Net;
using System.Text.Json.Nodes;
using Castio.RtkSimulator;
using Castio.Tests.Auth;

namespace Castio.Tests.HostControls;

/// <summary>Meetings, joins and live sessions for invite and host-control tests, all through the real API.</summary>
internal static class MeetingTestKit
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A draft instant meeting hosted by <paramref name="host"/>.</summary>
    public static async Task<Guid> CreateAsync(HttpClient client, Caller host, string meetingType = "video", string title = "Weekly sync", string? guestAccess = null)
    {
        var response = await client.SendAsync(HttpMethod.Post, "/api/meetings", new { title, meetingType, schedulingType = "instant", guestAccess }, host.AccessToken);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        return Guid.Parse((string)(await response.JsonAsync())["id"]!);
    }

    /// <summary>A meeting that has been started: its RTK meeting exists and is active.</summary>
    public static async Task<(Guid Id, string RtkMeetingId)> CreateStartedAsync(HttpClient client, Caller host, string meetingType = "video", string? guestAccess = null)
    {
        var id = await CreateAsync(client, host, meetingType, guestAccess: guestAccess);
        var started = await client.SendAsync(HttpMethod.Post, $"/api/meetings/{id}/start", token: host.AccessToken);
        Assert.True(started.StatusCode == HttpStatusCode.OK, await started.Content.ReadAsStringAsync(Ct));
        return (id, (string)(await started.JsonAsync())["rtkMeetingId"]!);
    }

    /// <summary>Joins through Castio; returns the participant id and the RTK token.</summary>
    public static async Task<(Guid ParticipantId, string RtkToken)> JoinAsync(HttpClient client, Caller who, Guid meetingId)
    {
        var response = await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/join", token: who.AccessToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        var body = await response.JsonAsync();
        return (Guid.Parse((string)body["participantId"]!), (string)body["rtkAuthToken"]!);
    }

    /// <summary>Joins as a guest (no account); returns the participant id, the RTK token and the guest token.</summary>
    public static async Task<(Guid ParticipantId, string RtkToken, string GuestToken)> GuestJoinAsync(HttpClient client, Guid meetingId, string displayName)
    {
        var response = await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/guest-join", new { displayName });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        var body = await response.JsonAsync();
        return (Guid.Parse((string)body["participantId"]!), (string)body["rtkAuthToken"]!, (string)body["guestToken"]!);
    }

    /// <summary>Joins through Castio, then connects to the simulated RTK session with the token (a live peer).</summary>
    public static async Task<(Guid ParticipantId, SimulatedJoin Peer)> JoinLiveAsync(HttpClient client, RtkSimulatorHost sim, Caller who, Guid meetingId)
    {
        var (participantId, token) = await JoinAsync(client, who, meetingId);
        return (participantId, sim.State.Join(token));
    }

    /// <summary>Requests the simulator received for one RTK meeting (its id appears in the path or body).</summary>
    public static IReadOnlyList<RecordedRequest> RtkCalls(RtkSimulatorHost sim, string rtkMeetingId) =>
        [.. sim.State.Requests.Where(r => r.Path.Contains(rtkMeetingId, StringComparison.Ordinal) || r.Body.Contains(rtkMeetingId, StringComparison.Ordinal))];

    /// <summary>The meeting's audit entries, newest first (read as the org's owner).</summary>
    public static async Task<JsonArray> AuditAsync(HttpClient client, Caller owner, Guid meetingId)
    {
        var response = await client.SendAsync(HttpMethod.Get, $"/api/meetings/{meetingId}/audit?limit=100", token: owner.AccessToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.JsonAsync())["entries"]!.AsArray();
    }
}
