using System.Security.Cryptography;
using System.Text;

namespace Castio.Core.Common;

/// <summary>Helpers for building table keys.</summary>
public static class TableKeys
{
    /// <summary>Lower-case hex SHA-256 of the text: safe as a key whatever characters the text holds.</summary>
    public static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>The exclusive upper bound of a prefix range: the prefix with its last character bumped.</summary>
    public static string PrefixEnd(string prefix) => prefix[..^1] + (char)(prefix[^1] + 1);
}
