using Castio.Core.Meetings;
using Microsoft.Azure.Functions.Worker;

namespace Castio.Functions.Scheduling;

public sealed class ActivationTimer(MeetingActivation activation, TimeProvider time)
{
    /// <summary>Every minute: activates what is due, ends what ran past the org's maximum duration, extends recurring series.</summary>
    [Function("Schedule_ActivationSweep")]
    public Task Run([TimerTrigger("0 * * * * *")] TimerInfo timer, CancellationToken cancellationToken) =>
        activation.SweepAsync(time.GetUtcNow(), cancellationToken);
}
