namespace Castio.Core.Orgs;

public enum BrandingAssetKind
{
    Logo,
    Favicon,
    Background,
}

/// <summary>
/// What a branding upload may be. The type is decided by the file's own bytes, never by the
/// client's Content-Type or file name. SVG is refused: it can carry script, and these files are
/// served from our origin to anonymous visitors.
/// </summary>
public static class BrandingAsset
{
    public const string Png = "image/png";
    public const string Jpeg = "image/jpeg";
    public const string WebP = "image/webp";
    public const string Icon = "image/x-icon";

    public static bool TryParseKind(string? value, out BrandingAssetKind kind)
    {
        kind = value switch
        {
            "logo" => BrandingAssetKind.Logo,
            "favicon" => BrandingAssetKind.Favicon,
            "background" => BrandingAssetKind.Background,
            _ => (BrandingAssetKind)(-1),
        };
        return kind >= 0;
    }

    public static string ToWire(this BrandingAssetKind kind) => kind switch
    {
        BrandingAssetKind.Logo => "logo",
        BrandingAssetKind.Favicon => "favicon",
        BrandingAssetKind.Background => "background",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static long MaxBytes(BrandingAssetKind kind) => kind switch
    {
        BrandingAssetKind.Logo => 512 * 1024,
        BrandingAssetKind.Favicon => 128 * 1024,
        _ => MaxUploadBytes,
    };

    /// <summary>The largest upload of any kind; under the host's 1 MiB request body limit with room for the multipart framing.</summary>
    public const long MaxUploadBytes = 1000 * 1024;

    public static IReadOnlyList<string> AllowedTypes(BrandingAssetKind kind) => kind switch
    {
        BrandingAssetKind.Favicon => [Png, Icon],
        _ => [Png, Jpeg, WebP],
    };

    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The media type the bytes really are, or null when they are none we accept.</summary>
    public static string? Sniff(ReadOnlySpan<byte> data)
    {
        if (data.Length >= 24 && data[..8].SequenceEqual(PngSignature) && data.Slice(12, 4).SequenceEqual("IHDR"u8))
        {
            return Png;
        }

        if (data.Length >= 4 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
        {
            return Jpeg;
        }

        if (data.Length >= 16 && data[..4].SequenceEqual("RIFF"u8) && data.Slice(8, 4).SequenceEqual("WEBP"u8)
            && data.Slice(12, 3).SequenceEqual("VP8"u8))
        {
            return WebP;
        }

        // ICONDIR: reserved 0, type 1 (icon), at least one image, then 16-byte entries.
        if (data.Length >= 22 && data[0] == 0 && data[1] == 0 && data[2] == 1 && data[3] == 0
            && (data[4] | data[5] << 8) is > 0 and <= 64)
        {
            return Icon;
        }

        return null;
    }

    /// <summary>Checks an upload; returns the sniffed media type, or an error message.</summary>
    public static (string? ContentType, string? Error) Check(BrandingAssetKind kind, ReadOnlySpan<byte> data)
    {
        if (data.Length == 0)
        {
            return (null, "The file is empty.");
        }

        if (data.Length > MaxBytes(kind))
        {
            return (null, $"The {kind.ToWire()} must be at most {MaxBytes(kind) / 1024} KiB.");
        }

        var type = Sniff(data);
        if (type is null || !AllowedTypes(kind).Contains(type))
        {
            return (null, $"The {kind.ToWire()} must be one of: {string.Join(", ", AllowedTypes(kind))}.");
        }

        return (type, null);
    }
}
