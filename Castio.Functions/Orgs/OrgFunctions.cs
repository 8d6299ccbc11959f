using Castio.Core.Abuse;
using Castio.Core.Auth;
using Castio.Core.Common;
using Castio.Core.Orgs;
using Castio.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Net.Http.Headers;

namespace Castio.Functions.Orgs;

/// <summary>The org's settings and branding upload, and the anonymous branding reads of the white-label page.</summary>
[Tags("Organization"), RateLimit(nameof(RateLimitRules.ApiGeneral), RateLimitKey.User)]
public sealed class OrgFunctions(OrgService orgs)
{
    [Function("Org_GetSettings"), SignedIn, EndpointSummary("The organization's settings (any member)")]
    public async Task<Results<Ok<OrgSettingsView>, ValidationProblem, ProblemHttpResult>> GetSettings(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/org/settings")] HttpRequest req, CancellationToken cancellationToken) =>
        (await orgs.GetSettingsAsync(req.Caller().OrgId, cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);

    [Function("Org_UpdateSettings"), Requires(Permission.ManageOrgSettings), EndpointSummary("Change some settings; omitted fields stay as they are")]
    [Consumes(typeof(OrgSettingsPatch), "application/json")]
    public async Task<Results<Ok<OrgSettingsView>, ValidationProblem, ProblemHttpResult>> UpdateSettings(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "api/org/settings")] HttpRequest req, CancellationToken cancellationToken)
    {
        var patch = await req.ReadJsonAsync<OrgSettingsPatch>(cancellationToken);
        return (await orgs.UpdateSettingsAsync(req.Caller().OrgId, patch, cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);
    }

    [Function("Org_UploadBranding"), Requires(Permission.ManageOrgSettings), EndpointSummary("Upload a logo, favicon or background (multipart: kind, file)")]
    [Consumes(typeof(BrandingUpload), "multipart/form-data")]
    public async Task<Results<Ok<BrandingAssetView>, ValidationProblem, ProblemHttpResult>> UploadBranding(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/org/branding")] HttpRequest req, CancellationToken cancellationToken)
    {
        if (!req.HasFormContentType)
        {
            return Problems.Problem(StatusCodes.Status415UnsupportedMediaType, ProblemCodes.UnsupportedMediaType, "Unsupported media type", "Send multipart/form-data with fields kind and file.");
        }

        IFormCollection form;
        try
        {
            form = await req.ReadFormAsync(cancellationToken);
        }
        catch (InvalidDataException)
        {
            return Problems.BadRequest(ProblemCodes.BadRequest, "The multipart body could not be read.");
        }

        var file = form.Files.GetFile("file");
        if (file is null || file.Length > BrandingAsset.MaxUploadBytes)
        {
            var errors = new FieldErrors().Add("file", file is null ? "A file is required." : $"The file must be at most {BrandingAsset.MaxUploadBytes / 1024} KiB.");
            return Problems.Validation(errors.ToDictionary());
        }

        using var buffer = new MemoryStream((int)file.Length);
        await file.CopyToAsync(buffer, cancellationToken);
        return (await orgs.UploadBrandingAsync(req.Caller().OrgId, form["kind"].ToString(), buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken))
            .ToResult(TypedResults.Ok, req.HttpContext);
    }

    [Function("Branding_Get"), Anonymous, RateLimit(nameof(RateLimitRules.ApiGeneral), RateLimitKey.ClientAddress)]
    [EndpointSummary("Public branding of an organization, for the page shown before sign-in")]
    public async Task<Results<Ok<PublicBranding>, ValidationProblem, ProblemHttpResult>> GetBranding(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/branding/{orgSlug}")] HttpRequest req, string orgSlug, CancellationToken cancellationToken) =>
        (await orgs.GetPublicBrandingAsync(orgSlug, cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);

    [Function("Branding_GetFile"), Anonymous, RateLimit(nameof(RateLimitRules.ApiGeneral), RateLimitKey.ClientAddress)]
    [EndpointSummary("One branding image (logo, favicon, background)")]
    [ProducesResponseType(typeof(byte[]), StatusCodes.Status200OK, BrandingAsset.Png, BrandingAsset.Jpeg, BrandingAsset.WebP, BrandingAsset.Icon)]
    public async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> GetBrandingFile(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/branding/{orgSlug}/{kind}")] HttpRequest req, string orgSlug, string kind, CancellationToken cancellationToken)
    {
        var outcome = await orgs.GetBrandingFileAsync(orgSlug, kind, cancellationToken);
        if (outcome.Succeeded)
        {
            // The bytes were sniffed on upload; never let a browser second-guess the type or run anything.
            req.HttpContext.Response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
            req.HttpContext.Response.Headers[HeaderNames.ContentSecurityPolicy] = "default-src 'none'; sandbox";
            req.HttpContext.Response.Headers[HeaderNames.CacheControl] = "public, max-age=300";
        }

        return outcome.ToResult(f => TypedResults.File(f.Content.ToArray(), f.ContentType, entityTag: new EntityTagHeaderValue("\"" + f.Version + "\"")), req.HttpContext);
    }
}

/// <summary>The multipart form of a branding upload (documents the request in OpenAPI).</summary>
public sealed class BrandingUpload
{
    /// <summary>logo, favicon or background.</summary>
    public required string Kind { get; set; }

    public required IFormFile File { get; set; }
}
