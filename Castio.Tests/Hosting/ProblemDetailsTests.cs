using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Castio.Functions.Http;
using Castio.Tests.Auth;
using Castio.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Castio.Tests.Hosting;

public class ProblemDetailsTests(AzuriteFixture azurite)
{
    private static async Task<JsonElement> ReadProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string path, HttpContent content, bool chunked = false)
    {
        var request = AuthTestKit.Request(HttpMethod.Post, path, content);
        request.Headers.TransferEncodingChunked = chunked;
        return client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task UnknownRouteIsANotFoundProblem()
    {
        await using var app = new CastioApplication(azurite);
        using var client = app.CreateHttpClient();
        var response = await client.GetAsync("/api/no-such-thing", TestContext.Current.CancellationToken);
        await ReadProblemAsync(response, HttpStatusCode.NotFound, ProblemCodes.RouteNotFound);
    }

    [Fact]
    public async Task WrongMethodIsAMethodNotAllowedProblem()
    {
        await using var app = new CastioApplication(azurite);
        using var client = app.CreateHttpClient();
        var response = await client.DeleteAsync("/api/ping", TestContext.Current.CancellationToken);
        await ReadProblemAsync(response, HttpStatusCode.MethodNotAllowed, ProblemCodes.MethodNotAllowed);
    }

    [Fact]
    public async Task MalformedJsonIsAnInvalidJsonProblem()
    {
        await using var app = new CastioApplication(azurite);
        using var client = app.CreateHttpClient();
        var response = await PostAsync(client, "/api/auth/login", JsonBody("{\"email\": "));
        await ReadProblemAsync(response, HttpStatusCode.BadRequest, ProblemCodes.InvalidJson);
    }

    [Fact]
    public async Task JsonNullBodyIsAnInvalidJsonProblem()
    {
        await using var app = new CastioApplication(azurite);
        using var client = app.CreateHttpClient();
        var response = await PostAsync(client, "/api/auth/refresh", JsonBody("null"));
        await ReadProblemAsync(response, HttpStatusCode.BadRequest, ProblemCodes.InvalidJson);
    }

    [Fact]
    public async Task WrongContentTypeIsAnUnsupportedMediaTypeProblem()
    {
        await using var app = new CastioApplication(azurite);
        using var client = app.CreateHttpClient();
        var response = await PostAsync(client, "/api/auth/login", new StringContent("hello", Encoding.UTF8, "text/plain"));
        await ReadProblemAsync(response, HttpStatusCode.UnsupportedMediaType, ProblemCodes.UnsupportedMediaType);
    }

    [Fact]
    public async Task InvalidFieldIsAValidationProblemNamingTheField()
    {
        await using var app = new CastioApplication(azurite);
        using var client = app.CreateHttpClient();
        var response = await PostAsync(client, "/api/auth/register",
            JsonBody($$"""{"email":"not-an-address","password":"{{AuthTestKit.Password}}","name":"N","orgName":"Acme","orgSlug":"{{AuthTestKit.NewSlug()}}"}"""));
        var problem = await ReadProblemAsync(response, HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed);
        Assert.True(problem.GetProperty("errors").TryGetProperty("email", out _)); // the JSON name, as the client sent it
    }

    [Fact]
    public async Task OversizedBodyIsABodyTooLargeProblem()
    {
        await using var app = new CastioApplication(azurite).WithSetting("Http:MaxRequestBodyBytes", "2048");
        using var client = app.CreateHttpClient();
        var response = await PostAsync(client, "/api/auth/login", JsonBody($$"""{"email":"{{new string('x', 4000)}}"}"""));
        await ReadProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, ProblemCodes.BodyTooLarge);
    }

    [Fact]
    public async Task OversizedChunkedBodyIsABodyTooLargeProblem()
    {
        await using var app = new CastioApplication(azurite).WithSetting("Http:MaxRequestBodyBytes", "2048");
        using var client = app.CreateHttpClient();
        // No Content-Length: the server's own limit trips while the JSON is read.
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes($$"""{"email":"{{new string('x', 4000)}}"}""")));
        content.Headers.ContentType = new("application/json");
        var response = await PostAsync(client, "/api/auth/login", content, chunked: true);
        await ReadProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, ProblemCodes.BodyTooLarge);
    }

    [Fact]
    public async Task UnhandledExceptionIsAServerErrorProblemWithoutDetails()
    {
        const string secret = "sensitive-internal-detail";
        var clock = new BrokenClock(secret);
        await using var app = new CastioApplication(azurite).WithServices(s =>
        {
            s.RemoveAll<TimeProvider>();
            s.AddSingleton<TimeProvider>(clock);
        });
        using var client = app.CreateHttpClient();
        clock.Broken = true;
        var response = await PostAsync(client, "/api/auth/login", JsonBody("""{"email":"a@example.com","password":"x","orgSlug":"acme"}"""));
        var problem = await ReadProblemAsync(response, HttpStatusCode.InternalServerError, ProblemCodes.ServerError);
        var body = problem.GetRawText();
        Assert.DoesNotContain(secret, body);
        Assert.DoesNotContain(nameof(BrokenClock), body);
        Assert.False(problem.TryGetProperty("exception", out _));
        Assert.Contains(app.Logs, line => line.Contains(secret)); // the operator still gets it, in the log
    }

    // Works while the app starts, then fails every read: an unexpected fault inside a real route.
    private sealed class BrokenClock(string message) : TimeProvider
    {
        public volatile bool Broken;

        public override DateTimeOffset GetUtcNow() => Broken ? throw new InvalidOperationException(message) : System.GetUtcNow();
    }
}
