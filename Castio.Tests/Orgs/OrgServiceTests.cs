using Castio.Core.Common;
using Castio.Core.Orgs;
using Castio.Tests.Auth;
using Castio.Tests.Infrastructure;

namespace Castio.Tests.Orgs;

public class OrgServiceTests(AzuriteFixture azurite)
{
    private readonly IdentityWorld _world = new(azurite);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task NewOrgHasDefaultSettings()
    {
        var (org, _) = await _world.CreateOrgAsync(cancellationToken: Ct);

        var view = (await _world.OrgService.GetSettingsAsync(org.Id, Ct)).Value;

        Assert.Equal(OrgSettings.Defaults, view.Settings);
        Assert.Equal(org.Slug, view.Slug);
    }

    [Fact]
    public async Task ConcurrentPatchesOfDifferentFieldsBothLand()
    {
        var (org, _) = await _world.CreateOrgAsync(cancellationToken: Ct);

        await Task.WhenAll(
            _world.OrgService.UpdateSettingsAsync(org.Id, new OrgSettingsPatch(BrandColor: "#112233"), Ct),
            _world.OrgService.UpdateSettingsAsync(org.Id, new OrgSettingsPatch(GuestAccessDefault: "disabled"), Ct),
            _world.OrgService.UpdateSettingsAsync(org.Id, new OrgSettingsPatch(TranscriptionDefault: true), Ct));

        var settings = (await _world.OrgService.GetSettingsAsync(org.Id, Ct)).Value.Settings;
        Assert.Equal("#112233", settings.BrandColor);
        Assert.Equal("disabled", settings.GuestAccessDefault);
        Assert.True(settings.TranscriptionDefault);
    }

    [Fact]
    public async Task InvalidPatchChangesNothing()
    {
        var (org, _) = await _world.CreateOrgAsync(cancellationToken: Ct);

        var result = await _world.OrgService.UpdateSettingsAsync(org.Id, new OrgSettingsPatch(BrandColor: "#000000", MaxConcurrentMeetings: 0), Ct);

        Assert.Equal(ErrorKind.Invalid, result.Error?.Kind);
        Assert.Equal(OrgSettings.Defaults.BrandColor, (await _world.OrgService.GetSettingsAsync(org.Id, Ct)).Value.Settings.BrandColor);
    }

    [Fact]
    public async Task UploadedLogoIsServedBySlugWithItsSniffedType()
    {
        var (org, _) = await _world.CreateOrgAsync(cancellationToken: Ct);

        var uploaded = (await _world.OrgService.UploadBrandingAsync(org.Id, "logo", Images.Png, Ct)).Value;
        var file = (await _world.OrgService.GetBrandingFileAsync(org.Slug, "logo", Ct)).Value;
        var branding = (await _world.OrgService.GetPublicBrandingAsync(org.Slug, Ct)).Value;

        Assert.Equal("image/png", uploaded.ContentType);
        Assert.Equal(Images.Png, file.Content.ToArray());
        Assert.Equal("image/png", file.ContentType);
        Assert.Equal(uploaded.Url, Assert.Single(branding.Assets).Url);
    }

    [Fact]
    public async Task NonImageUploadIsRefusedAndNothingIsStored()
    {
        var (org, _) = await _world.CreateOrgAsync(cancellationToken: Ct);

        var result = await _world.OrgService.UploadBrandingAsync(org.Id, "logo", "<svg onload=alert(1)/>"u8.ToArray(), Ct);

        Assert.Equal(["file"], result.Error?.Fields?.Keys);
        Assert.Equal(OrgErrors.BrandingNotFound, (await _world.OrgService.GetBrandingFileAsync(org.Slug, "logo", Ct)).Error?.Code);
    }

    [Fact]
    public async Task PendingSlugDoesNotResolve()
    {
        var slug = "pending-" + Guid.NewGuid().ToString("N")[..10];
        Assert.NotNull(await _world.Orgs.TryClaimSlugAsync(slug, Guid.CreateVersion7(), TimeSpan.FromMinutes(2), Ct));

        Assert.Null(await _world.Orgs.ResolveSlugAsync(slug, Ct));
        Assert.Equal(OrgErrors.NotFound, (await _world.OrgService.GetPublicBrandingAsync(slug, Ct)).Error?.Code);
    }

    [Fact]
    public async Task SlugClaimIsExclusiveUntilItsLeaseRunsOut()
    {
        var slug = "claim-" + Guid.NewGuid().ToString("N")[..10];
        var first = await _world.Orgs.TryClaimSlugAsync(slug, Guid.CreateVersion7(), TimeSpan.FromMinutes(2), Ct);
        first!.RtkAppId = "app-1";
        await _world.Orgs.SaveClaimAsync(first, Ct);

        Assert.Null(await _world.Orgs.TryClaimSlugAsync(slug, Guid.CreateVersion7(), TimeSpan.FromMinutes(2), Ct));
        _world.Clock.Advance(TimeSpan.FromMinutes(3));
        var second = await _world.Orgs.TryClaimSlugAsync(slug, Guid.CreateVersion7(), TimeSpan.FromMinutes(2), Ct);

        Assert.NotNull(second);
        Assert.Equal("app-1", second.RtkAppId);
    }
}
