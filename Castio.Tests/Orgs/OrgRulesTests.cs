using Castio.Core.Orgs;

namespace Castio.Tests.Orgs;

public class OrgRulesTests
{
    [Theory]
    [InlineData("acme-corp", true)]
    [InlineData("a1b", true)]
    [InlineData("ab", false)]
    [InlineData("-acme", false)]
    [InlineData("acme-", false)]
    [InlineData("ac--me", false)]
    [InlineData("acme_corp", false)]
    [InlineData("acme corp", false)]
    [InlineData("ácme", false)]
    [InlineData("api", false)]
    [InlineData("admin", false)]
    public void SlugRules(string slug, bool ok)
    {
        Assert.Equal(ok, OrgSlug.Check(OrgSlug.Normalize(slug)) is null);
    }

    [Fact]
    public void SlugIsNormalizedToLowerCaseAndLengthBounded()
    {
        Assert.Equal("acme-corp", OrgSlug.Normalize("  Acme-Corp "));
        Assert.Null(OrgSlug.Check(new string('a', 40)));
        Assert.NotNull(OrgSlug.Check(new string('a', 41)));
    }

    [Fact]
    public void ValidSettingsPatchHasNoErrorsAndApplies()
    {
        var patch = new OrgSettingsPatch(BrandColor: "#ff0000", GuestAccessDefault: "open", MaxParticipantsPerMeeting: 50, PhoneHomeEnabled: false);

        Assert.True(OrgSettingsRules.Validate(patch).IsEmpty);
        var applied = OrgSettingsRules.Apply(OrgSettings.Defaults, patch);
        Assert.Equal("#FF0000", applied.BrandColor);
        Assert.Equal("open", applied.GuestAccessDefault);
        Assert.Equal(50, applied.MaxParticipantsPerMeeting);
        Assert.False(applied.PhoneHomeEnabled);
        Assert.Equal(OrgSettings.Defaults.WaitingRoomDefault, applied.WaitingRoomDefault);
    }

    [Fact]
    public void EveryBadSettingsFieldIsNamed()
    {
        var patch = new OrgSettingsPatch(
            Name: " ", BrandColor: "red", Theme: "neon", DefaultMeetingType: "chat", MaxMeetingDurationMinutes: 0,
            MaxParticipantsPerMeeting: 100_000, MaxConcurrentMeetings: -1, GuestAccessDefault: "everyone");

        var errors = OrgSettingsRules.Validate(patch).ToDictionary();

        Assert.Equal(
            ["brandColor", "defaultMeetingType", "guestAccessDefault", "maxConcurrentMeetings", "maxMeetingDurationMinutes", "maxParticipantsPerMeeting", "name", "theme"],
            errors.Keys.Order());
    }

    [Fact]
    public void PngJpegWebpAndIconAreRecognisedByTheirBytes()
    {
        Assert.Equal(BrandingAsset.Png, BrandingAsset.Sniff(Images.Png));
        Assert.Equal(BrandingAsset.Jpeg, BrandingAsset.Sniff(Images.Jpeg));
        Assert.Equal(BrandingAsset.WebP, BrandingAsset.Sniff(Images.WebP));
        Assert.Equal(BrandingAsset.Icon, BrandingAsset.Sniff(Images.Ico));
    }

    [Fact]
    public void SvgAndHtmlAreRefusedWhateverTheyClaim()
    {
        Assert.Null(BrandingAsset.Sniff("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"u8));
        Assert.Null(BrandingAsset.Sniff("<html><body>hi</body></html>"u8));
        Assert.NotNull(BrandingAsset.Check(BrandingAssetKind.Logo, "<svg/>"u8).Error);
    }

    [Fact]
    public void BrandingUploadsAreSizeLimitedPerKind()
    {
        var big = new byte[BrandingAsset.MaxBytes(BrandingAssetKind.Favicon) + 1];
        Images.Png.CopyTo(big, 0);

        Assert.NotNull(BrandingAsset.Check(BrandingAssetKind.Favicon, big).Error);
        Assert.Equal(BrandingAsset.Png, BrandingAsset.Check(BrandingAssetKind.Background, big).ContentType);
        Assert.NotNull(BrandingAsset.Check(BrandingAssetKind.Logo, []).Error);
    }

    [Fact]
    public void FaviconMayBeIconButLogoMayNot()
    {
        Assert.Null(BrandingAsset.Check(BrandingAssetKind.Favicon, Images.Ico).Error);
        Assert.NotNull(BrandingAsset.Check(BrandingAssetKind.Logo, Images.Ico).Error);
    }
}

/// <summary>Minimal valid headers of each accepted image format.</summary>
internal static class Images
{
    public static byte[] Png { get; } = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    public static byte[] Jpeg { get; } = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xFF, 0xD9];

    public static byte[] WebP { get; } = [.. "RIFF"u8, 0x1A, 0, 0, 0, .. "WEBPVP8L"u8, 0x0D, 0, 0, 0, 0x2F, 0, 0, 0, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xFE, 0x07, 0x00];

    public static byte[] Ico { get; } = [0, 0, 1, 0, 1, 0, 16, 16, 0, 0, 1, 0, 32, 0, 0x68, 0x04, 0, 0, 0x16, 0, 0, 0, 0, 0];
}
