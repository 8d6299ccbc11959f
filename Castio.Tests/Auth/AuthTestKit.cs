using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Castio.Tests.Auth;

/// <summary>A signed-in caller of the real API.</summary>
internal sealed record Caller(string AccessToken, string RefreshToken, Guid UserId, Guid OrgId, string Email, string OrgSlug, string Role);

/// <summary>Requests against the running app: registration, invites, signed requests and problem reading.</summary>
internal static class AuthTestKit
{
    public const string Password = "correct horse battery staple";
    private static int _address;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// A fresh client address per call (sent in X-Forwarded-For, which test apps read as they would behind
    /// the Functions host), so per-address limits only bite where a test means them to.
    /// </summary>
    public const string FrontEndAddress = "100.64.0.1";

    public static string NextAddress()
    {
        var n = Interlocked.Increment(ref _address);
        return $"198.18.{(n >> 8) & 0xFF}.{n & 0xFF}";
    }

    public static HttpRequestMessage Request(HttpMethod method, string path, object? body = null, string? token = null, string? address = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is JsonNode node)
        {
            request.Content = new StringContent(node.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        }
        else if (body is HttpContent content)
        {
            request.Content = content;
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        // As the platform would write it: the client the front end saw, then the front end the Functions host saw.
        request.Headers.Add("X-Forwarded-For", $"{address ?? NextAddress()}, {FrontEndAddress}");
        return request;
    }

    public static Task<HttpResponseMessage> SendAsync(this HttpClient client, HttpMethod method, string path, object? body = null, string? token = null, string? address = null) =>
        client.SendAsync(Request(method, path, body, token, address), Ct);

    public static async Task<JsonObject> JsonAsync(this HttpResponseMessage response) =>
        (JsonObject)(await response.Content.ReadFromJsonAsync<JsonNode>(Ct))!;

    /// <summary>Asserts a problem+json answer with <paramref name="status"/> and returns its code.</summary>
    public static async Task<JsonObject> ProblemAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.JsonAsync();
        Assert.False(string.IsNullOrEmpty((string?)problem["code"]));
        return problem;
    }

    public static string NewSlug() => "org-" + Guid.NewGuid().ToString("N")[..12];

    public static async Task<Caller> RegisterAsync(HttpClient client, string? slug = null)
    {
        slug ??= NewSlug();
        var email = $"owner@{slug}.example";
        var response = await client.SendAsync(HttpMethod.Post, "/api/auth/register",
            new { email, password = Password, name = "Olive Owner", orgName = "Org " + slug, orgSlug = slug });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
        return ToCaller(await response.JsonAsync());
    }

    /// <summary>Invites a user with <paramref name="role"/> and accepts the invite, returning their session.</summary>
    public static async Task<Caller> AddUserAsync(HttpClient client, Caller inviter, string role)
    {
        var email = $"{role}-{Guid.NewGuid():N}@example.com";
        var invite = await client.SendAsync(HttpMethod.Post, "/api/users", new { email, name = "User " + role, role }, inviter.AccessToken);
        Assert.Equal(HttpStatusCode.Created, invite.StatusCode);
        var token = (string)(await invite.JsonAsync())["inviteToken"]!;
        var accepted = await client.SendAsync(HttpMethod.Post, "/api/auth/accept-invite", new { token, password = Password });
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        return ToCaller(await accepted.JsonAsync());
    }

    public static async Task<Caller> LoginAsync(HttpClient client, string email, string orgSlug)
    {
        var response = await client.SendAsync(HttpMethod.Post, "/api/auth/login", new { email, password = Password, orgSlug });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return ToCaller(await response.JsonAsync());
    }

    public static Caller ToCaller(JsonObject signIn) => new(
        (string)signIn["accessToken"]!,
        (string)signIn["refreshToken"]!,
        Guid.Parse((string)signIn["user"]!["id"]!),
        Guid.Parse((string)signIn["org"]!["id"]!),
        (string)signIn["user"]!["email"]!,
        (string)signIn["org"]!["slug"]!,
        (string)signIn["user"]!["role"]!);
}
