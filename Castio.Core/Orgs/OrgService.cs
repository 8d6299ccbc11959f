using Azure;
using Castio.Core.Common;

namespace Castio.Core.Orgs;

public sealed record OrgSettingsView(Guid Id, string Name, string Slug, OrgSettings Settings);

public sealed record BrandingAssetView(string Kind, string ContentType, long Length, string Url, DateTimeOffset UpdatedAt);

/// <summary>What the white-label page may know before anyone signs in.</summary>
public sealed record PublicBranding(string Name, string Slug, string BrandColor, string Theme, IReadOnlyList<BrandingAssetView> Assets);

public sealed record BrandingFile(BinaryData Content, string ContentType, string Version);

/// <summary>Org settings, and the branding files kept in the branding container.</summary>
public sealed class OrgService(OrgStore orgs, TimeProvider time)
{
    private const int MaxAttempts = 5;
    private static readonly Error NotFound = new(ErrorKind.NotFound, OrgErrors.NotFound, "Organization not found.");

    public async Task<Outcome<OrgSettingsView>> GetSettingsAsync(Guid orgId, CancellationToken cancellationToken)
    {
        var org = await orgs.GetAsync(orgId, cancellationToken);
        return org is null ? NotFound : View(org);
    }

    /// <summary>Applies a partial update; a concurrent change is re-read and the patch applied on top.</summary>
    public async Task<Outcome<OrgSettingsView>> UpdateSettingsAsync(Guid orgId, OrgSettingsPatch patch, CancellationToken cancellationToken)
    {
        var errors = OrgSettingsRules.Validate(patch);
        if (!errors.IsEmpty)
        {
            return Error.Invalid(ValidationCodes.ValidationFailed, errors);
        }

        for (var attempt = 1; ; attempt++)
        {
            var org = await orgs.GetAsync(orgId, cancellationToken);
            if (org is null)
            {
                return NotFound;
            }

            org.SetSettings(OrgSettingsRules.Apply(org.ToSettings(), patch));
            if (patch.Name is not null)
            {
                org.Name = DisplayName.Normalize(patch.Name);
            }

            org.UpdatedAt = time.GetUtcNow();
            try
            {
                await orgs.UpdateAsync(org, cancellationToken);
                return View(org);
            }
            catch (RequestFailedException e) when (e.Status == 412)
            {
                if (attempt >= MaxAttempts)
                {
                    return new Error(ErrorKind.Conflict, OrgErrors.Concurrent, "The settings are being changed by someone else; try again.");
                }
            }
        }
    }

    public async Task<Outcome<BrandingAssetView>> UploadBrandingAsync(Guid orgId, string? kind, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        if (!BrandingAsset.TryParseKind(kind, out var assetKind))
        {
            errors.Add("kind", "Kind must be one of: logo, favicon, background.");
            return Error.Invalid(ValidationCodes.ValidationFailed, errors);
        }

        var (contentType, problem) = BrandingAsset.Check(assetKind, content.Span);
        if (problem is not null)
        {
            return Error.Invalid(ValidationCodes.ValidationFailed, errors.Add("file", problem));
        }

        var org = await orgs.GetAsync(orgId, cancellationToken);
        if (org is null)
        {
            return NotFound;
        }

        var row = await orgs.PutBrandingAsync(orgId, assetKind, BinaryData.FromBytes(content), contentType!, cancellationToken);
        return AssetView(org.Slug, row);
    }

    public async Task<Outcome<PublicBranding>> GetPublicBrandingAsync(string? slug, CancellationToken cancellationToken)
    {
        var normalized = OrgSlug.Normalize(slug);
        var orgId = await orgs.ResolveSlugAsync(normalized, cancellationToken);
        var org = orgId is { } id ? await orgs.GetAsync(id, cancellationToken) : null;
        if (org is null)
        {
            return NotFound;
        }

        var assets = await orgs.ListBrandingAsync(org.Id, cancellationToken);
        return new PublicBranding(org.Name, org.Slug, org.BrandColor, org.Theme, [.. assets.Select(a => AssetView(org.Slug, a))]);
    }

    public async Task<Outcome<BrandingFile>> GetBrandingFileAsync(string? slug, string? kind, CancellationToken cancellationToken)
    {
        var missing = new Error(ErrorKind.NotFound, OrgErrors.BrandingNotFound, "No such branding file.");
        if (!BrandingAsset.TryParseKind(kind, out var assetKind))
        {
            return missing;
        }

        var orgId = await orgs.ResolveSlugAsync(OrgSlug.Normalize(slug), cancellationToken);
        var row = orgId is { } id ? await orgs.GetBrandingAsync(id, assetKind, cancellationToken) : null;
        var content = row is null ? null : await orgs.DownloadBrandingAsync(row, cancellationToken);
        return content is null ? missing : new BrandingFile(content, row!.ContentType, row.Version);
    }

    private static OrgSettingsView View(OrgEntity org) => new(org.Id, org.Name, org.Slug, org.ToSettings());

    private static BrandingAssetView AssetView(string slug, BrandingEntity row) =>
        new(row.Kind, row.ContentType, row.Length, $"/api/branding/{slug}/{row.Kind}?v={Uri.EscapeDataString(row.Version)}", row.UpdatedAt);
}
