namespace Castio.Core.Users;

/// <summary>
/// E-mail addresses as account identifiers: trimmed and lower-cased (one account per mailbox
/// per org), at most 254 characters, a plain <c>local@domain.tld</c> shape. Display-name forms
/// and quoted local parts are refused.
/// </summary>
public static class EmailAddress
{
    public const int MaxLength = 254;

    public static string Normalize(string? email) => (email ?? "").Trim().ToLowerInvariant();

    public static string? Check(string email)
    {
        if (email.Length == 0)
        {
            return "E-mail is required.";
        }

        if (email.Length > MaxLength)
        {
            return $"E-mail must be at most {MaxLength} characters.";
        }

        var at = email.IndexOf('@');
        if (at <= 0 || at != email.LastIndexOf('@') || at > 64)
        {
            return "E-mail must look like name@example.com.";
        }

        var local = email.AsSpan(0, at);
        var domain = email.AsSpan(at + 1);
        foreach (var c in local)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-/=?^_`{|}~.".Contains(c)))
            {
                return "E-mail must look like name@example.com.";
            }
        }

        if (local[0] == '.' || local[^1] == '.' || local.Contains("..", StringComparison.Ordinal))
        {
            return "E-mail must look like name@example.com.";
        }

        if (domain.Length is 0 or > 253 || domain.IndexOf('.') < 0)
        {
            return "E-mail must look like name@example.com.";
        }

        foreach (var label in domain.ToString().Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-'
                || !label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                return "E-mail must look like name@example.com.";
            }
        }

        return null;
    }
}
