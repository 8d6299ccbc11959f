namespace Castio.Core.Common;

/// <summary>The host-wide code for field-level validation failures (same value as the host's ProblemCodes).</summary>
public static class ValidationCodes
{
    public const string ValidationFailed = "request.validation_failed";
}
