using System.Net;
using System.Text.Json.Nodes;
using Castio.RtkSimulator;
using Castio.Tests.Auth;

namespace Castio.Tests.Meetings;

/// <summary>One org with a signed-in user of every role.</summary>
internal sealed record MeetingOrg(Caller Owner, Caller Admin, Caller Host, Caller OtherHost, Caller Member)
{
    public static async Task<MeetingOrg> CreateAsync(HttpClient client)
    {
        var owner = await AuthTestKit.RegisterAsync(client);
        return new MeetingOrg(owner,
            await AuthTestKit.AddUserAsync(client, owner, "admin"),
            await AuthTestKit.AddUserAsync(client, owner, "host"),
            await AuthTestKit.AddUserAsync(client, owner, "host"),
            await AuthTestKit.AddUserAsync(client, owner, "member"));
    }
}

internal static class MeetingTestKit
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<JsonObject> CreateMeetingAsync(this HttpClient client, Caller who, object? body = null)
    {
        var response = await client.SendAsync(HttpMethod.Post, "/api/meetings", body ?? new { title = "Weekly sync" }, who.AccessToken);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        return await response.JsonAsync();
    }

    public static Task<HttpResponseMessage> TransitionAsync(this HttpClient client, Caller who, JsonObject meeting, string action) =>
        action == "cancel"
            ? client.SendAsync(HttpMethod.Delete, $"/api/meetings/{meeting["id"]}", token: who.AccessToken)
            : client.SendAsync(HttpMethod.Post, $"/api/meetings/{meeting["id"]}/{action}", token: who.AccessToken);

    /// <summary>The RTK REST requests recorded after <paramref name="from"/> whose method matches and whose path ends with the suffix.</summary>
    public static List<RecordedRequest> Calls(this RtkSimulatorHost sim, string method, string pathSuffix, int from = 0) =>
        [.. sim.State.Requests.Skip(from).Where(r => r.Method == method && r.Path.EndsWith(pathSuffix, StringComparison.Ordinal))];

    public static int Mark(this RtkSimulatorHost sim) => sim.State.Requests.Count;

    public static JsonObject Body(RecordedRequest request) => Assert.IsType<JsonObject>(JsonNode.Parse(request.Body));

    public static string[] FieldsOf(JsonObject problem) => [.. problem["errors"]!.AsObject().Select(e => e.Key).Order()];
}
