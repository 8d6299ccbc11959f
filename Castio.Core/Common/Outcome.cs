namespace Castio.Core.Common;

/// <summary>How an expected failure reads to a caller; the host maps each kind to one HTTP status.</summary>
public enum ErrorKind
{
    Invalid,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    TooManyRequests,
    Unavailable,
}

/// <summary>
/// An expected failure of a service call: a kind, a stable machine <paramref name="Code"/> (the
/// problem+json <c>code</c>), a human detail, field errors for bad input, and a retry hint.
/// </summary>
public sealed record Error(ErrorKind Kind, string Code, string Detail, IDictionary<string, string[]>? Fields = null, TimeSpan? RetryAfter = null)
{
    public static Error Invalid(string code, FieldErrors fields) =>
        new(ErrorKind.Invalid, code, "One or more fields are invalid.", fields.ToDictionary());
}

/// <summary>A value or an <see cref="Error"/>; services return this instead of throwing for expected failures.</summary>
public readonly struct Outcome<T>
{
    private readonly T? _value;

    private Outcome(T? value, Error? error)
    {
        _value = value;
        Error = error;
    }

    public Error? Error { get; }

    public bool Succeeded => Error is null;

    public T Value => Error is null ? _value! : throw new InvalidOperationException("The outcome is an error: " + Error.Code);

    public static implicit operator Outcome<T>(T value) => new(value, null);

    public static implicit operator Outcome<T>(Error error) => new(default, error);
}
