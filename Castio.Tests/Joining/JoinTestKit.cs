using System.Net;
using System.Text.Json.Nodes;
using Castio.Core.Auth;
using Castio.Core.Users;
using Castio.RtkSimulator;
using Castio.Tests.Auth;
using Castio.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Castio.Tests.Joining;

/// <summary>Meetings to join, people to join them, and what the RTK simulator saw.</summary>
internal static class JoinTestKit
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Creates a meeting as <paramref name="who"/> and starts it (so it is active with an RTK meeting).</summary>
    public static async Task<JsonObject> ActiveMeetingAsync(this HttpClient client, Caller who, object? body = null)
    {
        var meeting = await client.DraftMeetingAsync(who, body);
        var started = await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meeting["id"]}/start", token: who.AccessToken);
        Assert.True(started.IsSuccessStatusCode, await started.Content.ReadAsStringAsync(Ct));
        return await started.JsonAsync();
    }

    public static async Task<JsonObject> DraftMeetingAsync(this HttpClient client, Caller who, object? body = null)
    {
        var created = await client.SendAsync(HttpMethod.Post, "/api/meetings", body ?? new { title = "Join test", meetingType = "video" }, who.AccessToken);
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync(Ct));
        return await created.JsonAsync();
    }

    public static Task<HttpResponseMessage> JoinAsync(this HttpClient client, Caller who, JsonObject meeting) =>
        client.SendAsync(HttpMethod.Post, $"/api/meetings/{meeting["id"]}/join", token: who.AccessToken);

    public static Task<HttpResponseMessage> GuestJoinAsync(this HttpClient client, JsonObject meeting, object body, string? address = null) =>
        client.SendAsync(HttpMethod.Post, $"/api/meetings/{meeting["id"]}/guest-join", body, address: address);

    public static async Task<JsonObject> JoinedAsync(this Task<HttpResponseMessage> join)
    {
        var response = await join;
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return await response.JsonAsync();
    }

    /// <summary>
    /// Members stored straight into the org with their access tokens: a hundred invitations over the API would
    /// meet the owner's own request limit before the test gets to what it is about.
    /// </summary>
    public static async Task<List<Caller>> MembersAsync(this CastioApplication app, Caller owner, int count, Role role = Role.Member)
    {
        var users = app.Services.GetRequiredService<UserStore>();
        var tokens = app.Services.GetRequiredService<AccessTokenService>();
        var now = app.Clock.GetUtcNow();
        var callers = new List<Caller>();
        for (var i = 0; i < count; i++)
        {
            var id = Guid.CreateVersion7();
            var email = $"m{i}-{id:N}@example.com";
            Assert.True(await users.AddAsync(new UserEntity
            {
                PartitionKey = owner.OrgId.ToString("D"),
                RowKey = UserKeys.User(id),
                Email = email,
                Name = $"Member {i}",
                Role = role.ToWire(),
                CreatedAt = now,
                UpdatedAt = now,
            }, [], Ct));
            callers.Add(new Caller(tokens.Issue(id, owner.OrgId, role).Token, "", id, owner.OrgId, email, owner.OrgSlug, role.ToWire()));
        }

        return callers;
    }

    /// <summary>RTK requests recorded since <paramref name="from"/> that concern one RTK meeting.</summary>
    public static List<RecordedRequest> CallsFor(this RtkSimulatorHost sim, string rtkMeetingId, int from = 0) =>
        [.. sim.State.Requests.Skip(from).Where(r => r.Path.Contains(rtkMeetingId, StringComparison.Ordinal))];

    /// <summary>The simulator's request log as its control API serves it (GET /__sim/requests): method and path of each REST call for one RTK meeting.</summary>
    public static async Task<List<(string Method, string Path)>> RequestLogAsync(this RtkSimulatorHost sim, string rtkMeetingId)
    {
        using var http = new HttpClient();
        var log = (JsonArray)JsonNode.Parse(await http.GetStringAsync(sim.ServerUrl + "/__sim/requests", Ct))!;
        return [.. log.Select(r => ((string)r!["method"]!, (string)r["path"]!)).Where(r => r.Item2.Contains(rtkMeetingId, StringComparison.Ordinal))];
    }

    public static int Mark(this RtkSimulatorHost sim) => sim.State.Requests.Count;

    public static bool IsAddParticipant(this RecordedRequest r) => r.Method == "POST" && r.Path.EndsWith("/participants", StringComparison.Ordinal);

    public static bool IsRefreshToken(this RecordedRequest r) => r.Method == "POST" && r.Path.EndsWith("/token", StringComparison.Ordinal);

    public static string[] FieldsOf(JsonObject problem) => [.. problem["errors"]!.AsObject().Select(e => e.Key).Order()];
}
