using System.ComponentModel.DataAnnotations;
using Azure.Storage.Queues;
using Castio.Core.Storage;
using Castio.Functions.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Castio.Functions.Probes;

/// <summary>Off unless <c>Echo:Enabled</c>: it lets anyone put a message on a queue.</summary>
public sealed class EchoOptions
{
    public const string SectionName = "Echo";

    public bool Enabled { get; set; }
}

public static class EchoApi
{
    public const string DisabledCode = "echo.disabled";

    public static IServiceCollection AddEcho(this IServiceCollection services)
    {
        services.AddOptions<EchoOptions>().BindConfiguration(EchoOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        return services;
    }

    public static RouteGroupBuilder MapEchoApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/echo").WithTags("Probes").AllowAnonymous();
        api.MapPost("/", PostEcho).WithName("PostEcho").WithSummary("Queue a message for the echo probe (diagnostics; off by default)");
        return api;
    }

    public static async Task<Results<Accepted<EchoAccepted>, ProblemHttpResult>> PostEcho(
        EchoRequest request, QueueServiceClient queues, IOptions<StorageOptions> storageOptions, IOptions<EchoOptions> echoOptions, CancellationToken cancellationToken)
    {
        if (!echoOptions.Value.Enabled)
            return Problems.NotFound(DisabledCode, "The echo probe is disabled (Echo:Enabled).");
        var queue = queues.GetQueueClient(storageOptions.Value.Name(EchoConsumer.QueueName));
        await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var receipt = await queue.SendMessageAsync(request.Message!, cancellationToken: cancellationToken);
        return TypedResults.Accepted((string?)null, new EchoAccepted(receipt.Value.MessageId));
    }
}

public sealed class EchoRequest
{
    [Required, StringLength(256, MinimumLength = 1)]
    public string? Message { get; set; }
}

public sealed record EchoAccepted(string MessageId);
