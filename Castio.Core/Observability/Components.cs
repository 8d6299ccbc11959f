namespace Castio.Core.Observability;

/// <summary>The <c>component</c> tag: which kind of function an error came from.</summary>
public static class Components
{
    public const string Http = "http";
    public const string Timer = "timer";
    public const string Activity = "activity";
    public const string Orchestration = "orchestration";

    /// <summary>The component of a function, from its trigger binding type as <c>functions.metadata</c> names it.</summary>
    public static string ForTrigger(string? bindingType) => bindingType?.ToLowerInvariant() switch
    {
        "httptrigger" => Http,
        "timertrigger" => Timer,
        "activitytrigger" => Activity,
        "orchestrationtrigger" => Orchestration,
        null => "function",
        var other => other.EndsWith("trigger", StringComparison.Ordinal) ? other[..^"trigger".Length] : other,
    };
}

/// <summary>What is known about the invocation an exception escaped from; every text is scrubbed before sending.</summary>
public sealed record ErrorContext(string Component, string Function)
{
    public string? OrgId { get; init; }

    public string? MeetingId { get; init; }

    public string? UserId { get; init; }

    public RequestInfo? Request { get; init; }
}

/// <summary>The request of an HTTP function: URL without query, the raw query, and its headers.</summary>
public sealed record RequestInfo(string Method, string Url, string? QueryString, IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// Ids an invocation learns while it runs (a timer finds the org, an activity the meeting), for the error tags.
/// The capture point opens one per invocation; code below it fills it in; nothing happens outside one.
/// </summary>
public sealed class ErrorTags
{
    private static readonly AsyncLocal<ErrorTags?> CurrentTags = new();

    public string? OrgId { get; set; }

    public string? MeetingId { get; set; }

    /// <summary>The current invocation's tags, or null outside one.</summary>
    public static ErrorTags? Current => CurrentTags.Value;

    /// <summary>Opens a fresh set for the code that runs from here (and below) in this async flow.</summary>
    public static ErrorTags Begin() => CurrentTags.Value = new ErrorTags();

    /// <summary>Records the org and meeting an invocation is about, if it runs under a capture point.</summary>
    public static void Set(string? orgId = null, string? meetingId = null)
    {
        if (CurrentTags.Value is not { } tags)
            return;
        tags.OrgId = orgId ?? tags.OrgId;
        tags.MeetingId = meetingId ?? tags.MeetingId;
    }
}
