namespace Castio.Core.Common;

/// <summary>The checks every paged list makes: a cursor this API returned, and a limit within the page size.</summary>
public static class Paging
{
    public const string BadCursor = "The cursor is not one this API returned.";

    /// <summary>Adds a problem for each of <c>cursor</c> and <c>limit</c> that is wrong.</summary>
    public static FieldErrors Check(this FieldErrors errors, string? cursor, Func<string, bool> isCursor, int? limit, int maxPageSize)
    {
        if (!string.IsNullOrEmpty(cursor) && !isCursor(cursor))
        {
            errors.Add("cursor", BadCursor);
        }

        if (limit is < 1 || limit > maxPageSize)
        {
            errors.Add("limit", $"Limit must be between 1 and {maxPageSize}.");
        }

        return errors;
    }

    /// <summary>As <see cref="Check"/> for lists whose cursor is the last id (a GUID, "N" format); gives that id.</summary>
    public static Guid? CheckIdCursor(this FieldErrors errors, string? cursor, int? limit, int maxPageSize)
    {
        Guid? after = null;
        errors.Check(cursor, c => Guid.TryParseExact(c, "N", out _), limit, maxPageSize);
        if (!string.IsNullOrEmpty(cursor) && Guid.TryParseExact(cursor, "N", out var parsed))
        {
            after = parsed;
        }

        return after;
    }
}
