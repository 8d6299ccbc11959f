namespace Castio.Core.Common;

/// <summary>
/// Field-level validation messages, keyed by the camelCase wire name of the field, in the shape
/// of <c>ValidationProblemDetails.Errors</c>.
/// </summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsEmpty => _errors.Count == 0;

    public FieldErrors Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }

        list.Add(message);
        return this;
    }

    /// <summary>Adds <paramref name="message"/> when it is not null; for checks that return one.</summary>
    public FieldErrors AddIf(string field, string? message) => message is null ? this : Add(field, message);

    public IDictionary<string, string[]> ToDictionary() =>
        _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
}
