using Castio.Core.Auth;
using Castio.Core.Observability;
using Castio.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Castio.Tests.Observability;

/// <summary>Functions that fail on purpose, written as the app's are, for the error-capture tests.</summary>
[Anonymous]
public sealed class FaultyFunctions
{
    public const string OrgId = "0190f3a0-0000-7000-8000-00000000aaaa";

    /// <summary>Text full of personal data and secrets that must never reach Sentry.</summary>
    public static readonly string[] Secrets =
    [
        "ada.lovelace@example.com",
        "203.0.113.77",
        "2001:db8:85a3::8a2e:370:7334",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwiZW1haWwiOiJhZGFAZXhhbXBsZS5jb20ifQ.c2lnbmF0dXJlLWJ5dGVzLWhlcmU",
        "hunter2-Pa55word",
        "Ks9dW2xQ7vR4tY1uI8oP3aS6dF0gH5jK2lZ7xC4vB9n",
        "rtk-api-t0ken-9f8e7d6c5b4a39281706f5e4d3c2b1a0",
    ];

    public static string SecretMessage =>
        $"Join failed for {Secrets[0]} from {Secrets[1]} / {Secrets[2]}: token {Secrets[3]}, password={Secrets[4]}, refresh {Secrets[5]}";

    [Function("Faulty_Http")]
    public IResult Http([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/faulty/meetings/{meetingId}/boom")] HttpRequest req, string meetingId)
    {
        ErrorTags.Set(orgId: OrgId);
        throw new InvalidOperationException(SecretMessage);
    }

    [Function("Faulty_NotFound")]
    public IResult NotFound([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/faulty/missing")] HttpRequest req) =>
        throw new ProblemException(404, "faulty.not_found", "Not found", $"No meeting for {Secrets[0]}");

    [Function("Faulty_Invalid")]
    public IResult Invalid([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/faulty/invalid")] HttpRequest req) =>
        throw new ProblemException(422, "faulty.invalid", "Invalid", "title is required");

    [Function("Faulty_Timer")]
    public Task Timer([TimerTrigger("0 0 3 * * *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        ErrorTags.Set(orgId: OrgId, meetingId: "meeting-from-timer");
        throw new TimeoutException("Sweep timed out for " + Secrets[0]);
    }

    /// <summary>Calls an activity that fails: the activity's failure is the one error, not the orchestration's too.</summary>
    [Function("Faulty_RunsFailingActivity")]
    public static async Task<string> RunsFailingActivity([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var first = await context.CallActivityAsync<string>("Faulty_Echo", "warm-up");
        return first + await context.CallActivityAsync<string>("Faulty_Fail", context.GetInput<string>());
    }

    /// <summary>Fails itself after a completed activity (so after a replay).</summary>
    [Function("Faulty_Throws")]
    public static async Task<string> Throws([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var echoed = await context.CallActivityAsync<string>("Faulty_Echo", context.GetInput<string>());
        throw new InvalidOperationException("Orchestration broke after " + echoed);
    }

    [Function("Faulty_Echo")]
    public string Echo([ActivityTrigger] string text) => text;

    [Function("Faulty_Fail")]
    public string Fail([ActivityTrigger] string meetingId)
    {
        ErrorTags.Set(orgId: OrgId, meetingId: meetingId);
        throw new InvalidOperationException("Recording copy failed for " + Secrets[0]);
    }
}
