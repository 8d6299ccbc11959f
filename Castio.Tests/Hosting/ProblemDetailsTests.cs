using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Castio.Functions.Hosting;
using Castio.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

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
        await using var app = new CastioApplication(azurite).WithSetting("Echo:Enabled", "true");
        using var client = app.CreateHttpClient();
        var response = await client.PostAsync("/api/echo", JsonBody("{\"message\": "), TestContext.Current.CancellationToken);
        await ReadProblemAsync(response, HttpStatusCode.BadRequest, ProblemCodes.InvalidJson);
    }

    [Fact]
    public async Task WrongContentTypeIsAnUnsupportedMediaTypeProblem()
    {
        await using var app = new CastioApplication(azurite).WithSetting("Echo:Enabled", "true");
        using var client = app.CreateHttpClient();
        var response = await client.PostAsync("/api/echo", new StringContent("hello", Encoding.UTF8, "text/plain"), TestContext.Current.CancellationToken);
        await ReadProblemAsync(response, HttpStatusCode.UnsupportedMediaType, ProblemCodes.UnsupportedMediaType);
    }

    [Fact]
    public async Task InvalidFieldIsAValidationProblemNamingTheField()
    {
        await using var app = new CastioApplication(azurite).WithSetting("Echo:Enabled", "true");
        using var client = app.CreateHttpClient();
        var response = await client.PostAsync("/api/echo", JsonBody($$"""{"message":"{{new string('x', 300)}}"}"""), TestContext.Current.CancellationToken);
        var problem = await ReadProblemAsync(response, HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed);
        Assert.True(problem.GetProperty("errors").TryGetProperty("message", out _)); // the JSON name, as the client sent it
    }

    [Fact]
    public async Task OversizedBodyIsABodyTooLargeProblem()
    {
        await using var app = new CastioApplication(azurite).WithSetting("Echo:Enabled", "true").WithSetting("Http:MaxRequestBodyBytes", "2048");
        using var client = app.CreateHttpClient();
        var response = await client.PostAsync("/api/echo", JsonBody($$"""{"message":"{{new string('x', 4000)}}"}"""), TestContext.Current.CancellationToken);
        await ReadProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, ProblemCodes.BodyTooLarge);
    }

    [Fact]
    public async Task OversizedChunkedBodyIsABodyTooLargeProblem()
    {
        await using var app = new CastioApplication(azurite).WithSetting("Echo:Enabled", "true").WithSetting("Http:MaxRequestBodyBytes", "2048");
        using var client = app.CreateHttpClient();
        // No Content-Length: Kestrel's own limit trips while the JSON is read.
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes($$"""{"message":"{{new string('x', 4000)}}"}""")));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/echo") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        await ReadProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, ProblemCodes.BodyTooLarge);
    }

    [Fact]
    public async Task DisabledEchoProbeIsANotFoundProblemWithItsOwnCode()
    {
        await using var app = new CastioApplication(azurite);
        using var client = app.CreateHttpClient();
        var response = await client.PostAsync("/api/echo", JsonBody("""{"message":"hi"}"""), TestContext.Current.CancellationToken);
        await ReadProblemAsync(response, HttpStatusCode.NotFound, Castio.Functions.Probes.EchoApi.DisabledCode);
    }

    [Fact]
    public async Task UnhandledExceptionIsAServerErrorProblemWithoutDetails()
    {
        const string secret = "sensitive-internal-detail";
        await using var app = new CastioApplication(azurite)
            .WithServices(s => s.AddSingleton<IStartupFilter>(new ThrowingRoute("/test/throw", secret)));
        using var client = app.CreateHttpClient();
        var response = await client.GetAsync("/test/throw", TestContext.Current.CancellationToken);
        var problem = await ReadProblemAsync(response, HttpStatusCode.InternalServerError, ProblemCodes.ServerError);
        var body = problem.GetRawText();
        Assert.DoesNotContain(secret, body);
        Assert.DoesNotContain("ThrowingRoute", body);
        Assert.False(problem.TryGetProperty("exception", out _));
        Assert.Contains(app.Logs, line => line.Contains(secret)); // the operator still gets it, in the log
    }

    // Adds a route at the end of the app's pipeline that throws, so the app's own error handling is what answers.
    private sealed class ThrowingRoute(string path, string message) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Use((HttpContext context, Func<Task> inner) =>
                context.Request.Path == path ? throw new InvalidOperationException(message) : inner());
        };
    }
}
