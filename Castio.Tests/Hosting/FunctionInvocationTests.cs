using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Castio.Functions.Hosting;
using Castio.Functions.Probes;
using Castio.Tests.Infrastructure;

namespace Castio.Tests.Hosting;

/// <summary>Host mode: the Functions host's invocation POSTs (spec §5) over real Kestrel, against Azurite.</summary>
public class FunctionInvocationTests(AzuriteFixture azurite)
{
    private static StringContent Payload(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<ProbeEntity?> ProbeRowAsync(CastioApplication app, string partitionKey, string rowKey)
    {
        var table = app.Tables.GetTableClient(app.Name(ProbeEntity.TableName));
        await table.CreateIfNotExistsAsync(TestContext.Current.CancellationToken);
        var row = await table.GetEntityIfExistsAsync<ProbeEntity>(partitionKey, rowKey, cancellationToken: TestContext.Current.CancellationToken);
        return row.HasValue ? row.Value : null;
    }

    [Fact]
    public async Task StartupProbeOnRootAnswersOk()
    {
        await using var app = new CastioApplication(azurite).AsCustomHandler();
        using var client = app.CreateHttpClient();
        var response = await client.GetAsync("/", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task TimerInvocationRunsHeartbeatAndAnswersTheInvocationShape()
    {
        await using var app = new CastioApplication(azurite).AsCustomHandler();
        using var client = app.CreateHttpClient();
        var body = """{"Data":{"timer":{"Schedule":{"AdjustForDST":true},"ScheduleStatus":null,"IsPastDue":true}},"Metadata":{"sys":{"MethodName":"Heartbeat","UtcNow":"2026-01-05T09:00:00Z","RandGuid":"0f8fad5b-d9cb-469f-a165-70867728950e"}}}""";

        var response = await client.PostAsync("/Heartbeat", Payload(body), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(JsonValueKind.Object, answer.GetProperty("Outputs").ValueKind);
        Assert.Equal(JsonValueKind.Array, answer.GetProperty("Logs").ValueKind);
        Assert.True(answer.TryGetProperty("ReturnValue", out _));
        var row = await ProbeRowAsync(app, Heartbeat.PartitionKey, Heartbeat.RowKey);
        Assert.NotNull(row);
        Assert.Equal(app.Clock.GetUtcNow(), row.RanAt);
        Assert.True(row.IsPastDue);
    }

    [Fact]
    public async Task TimerInfoSentAsAStringIsAccepted()
    {
        await using var app = new CastioApplication(azurite).AsCustomHandler();
        using var client = app.CreateHttpClient();
        var body = """{"Data":{"timer":"{\"ScheduleStatus\":null,\"IsPastDue\":false}"},"Metadata":{}}""";
        var response = await client.PostAsync("/heartbeat", Payload(body), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(await ProbeRowAsync(app, Heartbeat.PartitionKey, Heartbeat.RowKey));
    }

    [Fact]
    public async Task QueueInvocationDecodesTheDoubleEncodedMessageAndWritesItsRow()
    {
        await using var app = new CastioApplication(azurite).AsCustomHandler();
        using var client = app.CreateHttpClient();
        var id = Guid.NewGuid().ToString();
        var body = """{"Data":{"message":"\"hello from the host\""},"Metadata":{"DequeueCount":1,"Id":"\"ID\"","InsertionTime":"2026-01-05T09:00:00+00:00","PopReceipt":"\"AgAAAAMAAAAAAAAA\"","sys":{"MethodName":"EchoConsumer"}}}""".Replace("ID", id);

        var response = await client.PostAsync("/EchoConsumer", Payload(body), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var row = await ProbeRowAsync(app, EchoConsumer.PartitionKey, id);
        Assert.NotNull(row);
        Assert.Equal("hello from the host", row.Text);
        Assert.Equal(1, row.DequeueCount);
    }

    [Fact]
    public async Task FailingQueueHandlerAnswersNon2xxSoTheHostRetries()
    {
        await using var app = new CastioApplication(azurite).AsCustomHandler();
        using var client = app.CreateHttpClient();
        var body = $$$"""{"Data":{"message":"\"{{{EchoConsumer.PoisonPayload}}}\""},"Metadata":{"DequeueCount":1,"Id":"m-poison"}}""";

        var response = await client.PostAsync("/EchoConsumer", Payload(body), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(ProblemCodes.FunctionFailed, problem.GetProperty("code").GetString());
        Assert.Null(await ProbeRowAsync(app, EchoConsumer.PartitionKey, "m-poison"));
    }

    [Fact]
    public async Task MalformedInvocationPayloadIsABadRequestProblem()
    {
        await using var app = new CastioApplication(azurite).AsCustomHandler();
        using var client = app.CreateHttpClient();
        var response = await client.PostAsync("/EchoConsumer", Payload("""{"Data":{"message":"x"}}"""), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(ProblemCodes.InvocationInvalid, problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task InvocationEndpointsAreNotServedStandalone()
    {
        await using var app = new CastioApplication(azurite);
        using var client = app.CreateHttpClient();
        var response = await client.PostAsync("/Heartbeat", Payload("""{"Data":{}}"""), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
