using Castio.Core.PostMeeting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Castio.Functions.PostMeeting;

/// <summary>The orchestration's input: the session, and how many rounds it has run (it continues as new each round).</summary>
public sealed record PostMeetingInput(SessionKey Key, int Round);

/// <summary>
/// One post-meeting orchestration per RTK session. Each round it asks the planner what the record still lacks, runs
/// those activities, and then waits for a wake (a new fact) or its next deadline (a durable timer). The record in
/// storage is the source of truth; the orchestration holds nothing that a fresh start would miss.
/// </summary>
public sealed class PostMeetingFunctions(PostMeetingWork work, PostMeetingRecovery recovery, PostMeetingStarter starter)
{
    public const string Orchestrator = "PostMeeting_Run";
    public const string WakeEvent = "wake";

    /// <summary>Rounds before giving up until the next wake or recovery (a session that never ends, say).</summary>
    public const int MaxRounds = 200;

    /// <summary>Wait when nothing is due: a session still live, or a round that failed.</summary>
    public static readonly TimeSpan IdleWait = TimeSpan.FromMinutes(30);
    public static readonly TimeSpan FailedWait = TimeSpan.FromMinutes(1);

    private static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 5, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromSeconds(30)));

    [Function(Orchestrator)]
    public static async Task<string> Run([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var input = context.GetInput<PostMeetingInput>()!;
        var key = input.Key;
        var plan = await context.CallActivityAsync<PostMeetingPlan>(nameof(Plan), new PlanRequest(key, context.CurrentUtcDateTime), Retry);
        var failed = false;
        try
        {
            if (plan.CloseMeeting) await context.CallActivityAsync(nameof(CloseMeeting), key, Retry);
            await Task.WhenAll(plan.Copies.Select(c => context.CallActivityAsync<string>(nameof(Copy), c, Retry)));
            await Task.WhenAll(plan.PollRecordings.Select(r => context.CallActivityAsync(nameof(PollRecording), new PollRecordingRequest(key, r), Retry)));
            if (plan.PollArtefacts.Count > 0) await context.CallActivityAsync(nameof(PollArtefacts), new PollArtefactsRequest(key, plan.PollArtefacts), Retry);
            if (plan.TriggerSummary) await context.CallActivityAsync(nameof(TriggerSummary), key, Retry);
            if (plan.Reconcile) await context.CallActivityAsync<int>(nameof(Reconcile), key, Retry);
            if (plan.Analytics) await context.CallActivityAsync(nameof(Analytics), key, Retry);
        }
        catch (TaskFailedException)
        {
            // Retries ran out (RTK or storage down for a while): try again after a pause; the record keeps what was done.
            failed = true;
        }

        if (plan.Complete && !failed)
        {
            await context.CallActivityAsync(nameof(Complete), key, Retry);
            return "complete";
        }
        if (input.Round >= MaxRounds) return "gave up";

        if (failed || !plan.HasWork)
        {
            // Nothing to do until a deadline or a new fact: whichever comes first.
            var wakeAt = failed ? context.CurrentUtcDateTime + FailedWait : plan.WakeAt ?? context.CurrentUtcDateTime + IdleWait;
            using var cancel = new CancellationTokenSource();
            var timer = context.CreateTimer(wakeAt, cancel.Token);
            var wake = context.WaitForExternalEvent<string>(WakeEvent);
            if (await Task.WhenAny(timer, wake) == wake) cancel.Cancel();
        }
        context.ContinueAsNew(input with { Round = input.Round + 1 });
        return "continued";
    }

    [Function(nameof(Plan))]
    public Task<PostMeetingPlan> Plan([ActivityTrigger] PlanRequest request, CancellationToken cancellationToken) => work.PlanAsync(request, cancellationToken);

    [Function(nameof(CloseMeeting))]
    public Task CloseMeeting([ActivityTrigger] SessionKey key, CancellationToken cancellationToken) => work.CloseMeetingAsync(key, cancellationToken);

    [Function(nameof(Copy))]
    public Task<string> Copy([ActivityTrigger] CopyItem item, CancellationToken cancellationToken) => work.CopyAsync(item, cancellationToken);

    [Function(nameof(PollRecording))]
    public Task PollRecording([ActivityTrigger] PollRecordingRequest request, CancellationToken cancellationToken) => work.PollRecordingAsync(request, cancellationToken);

    [Function(nameof(PollArtefacts))]
    public Task PollArtefacts([ActivityTrigger] PollArtefactsRequest request, CancellationToken cancellationToken) => work.PollArtefactsAsync(request, cancellationToken);

    [Function(nameof(TriggerSummary))]
    public Task TriggerSummary([ActivityTrigger] SessionKey key, CancellationToken cancellationToken) => work.TriggerSummaryAsync(key, cancellationToken);

    [Function(nameof(Reconcile))]
    public Task<int> Reconcile([ActivityTrigger] SessionKey key, CancellationToken cancellationToken) => work.ReconcileAsync(key, cancellationToken);

    [Function(nameof(Analytics))]
    public Task Analytics([ActivityTrigger] SessionKey key, CancellationToken cancellationToken) => work.UpdateAnalyticsAsync(key, cancellationToken);

    [Function(nameof(Complete))]
    public Task Complete([ActivityTrigger] SessionKey key, CancellationToken cancellationToken) => work.CompleteAsync(key, cancellationToken);

    /// <summary>Restarts post-meeting work of sessions still unfinished when their due time comes (only due buckets are read).</summary>
    [Function("PostMeeting_Recover")]
    public async Task Recover([TimerTrigger("0 */5 * * * *")] TimerInfo timer, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken)
    {
        foreach (var key in await recovery.TakeDueAsync(cancellationToken))
            await starter.WakeAsync(durable, key, cancellationToken);
    }
}
