using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Castio.Tests.Deploy;

/// <summary>
/// <c>infra/bicep</c> compiles and lints clean with the restored Bicep CLI, and the ARM JSON it compiles to deploys
/// what Castio needs: a .NET 10 isolated-worker app on Flex Consumption, storage by identity only, every secret
/// through Key Vault, Application Insights by identity, and outputs that carry no secret.
/// </summary>
public sealed partial class BicepTests(BicepFixture bicep) : IClassFixture<BicepFixture>
{
    // Built-in role definition ids (the same in every tenant).
    private const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";
    private const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";

    /// <summary>App settings that hold a secret, and so must be Key Vault references.</summary>
    public static TheoryData<string> SecretSettings =>
        ["Auth__SigningKey", "Rtk__ApiToken", "Sentry__Dsn", "Sentry__VendorDsn", "Diagnostics__PhoneHomeEndpoint"];

    [Fact]
    public void MainBicepBuildsWithoutErrorsOrWarnings()
    {
        Assert.True(bicep.Build.ExitCode == 0 && bicep.Build.Diagnostics.Count == 0,
            "bicep build infra/bicep/main.bicep:\n" + string.Join('\n', bicep.Build.Diagnostics) + "\n" + bicep.Build);
    }

    [Fact]
    public void MainBicepLintsWithoutErrorsOrWarnings()
    {
        Assert.True(bicep.Lint.ExitCode == 0 && bicep.Lint.Diagnostics.Count == 0,
            "bicep lint infra/bicep/main.bicep:\n" + string.Join('\n', bicep.Lint.Diagnostics) + "\n" + bicep.Lint);
    }

    [Fact]
    public void PlanIsFlexConsumption()
    {
        var plan = bicep.App.Single("Microsoft.Web/serverfarms");
        Assert.Equal("FC1", (string?)plan["sku"]?["name"]);
        Assert.Equal("FlexConsumption", (string?)plan["sku"]?["tier"]);
        Assert.True((bool?)plan["properties"]?["reserved"]);
        Assert.True(bicep.App.Expression(plan["properties"]?["zoneRedundant"]).ReferencesParameter("zoneRedundant"));
    }

    [Fact]
    public void AppRunsTheDotnetIsolatedWorkerOnDotnet10()
    {
        var site = Site();
        Assert.Equal("functionapp,linux", (string?)site["kind"]);
        var runtime = site["properties"]?["functionAppConfig"]?["runtime"];
        Assert.Equal("dotnet-isolated", (string?)runtime?["name"]);
        Assert.Equal("10.0", (string?)runtime?["version"]);
        Assert.True(bicep.App.Expression(site["tags"]).ToString().Contains("'azd-service-name', 'api'", StringComparison.Ordinal),
            "azd finds the app by its azd-service-name tag");
    }

    [Fact]
    public void AppIsDeployedFromItsBlobContainerWithTheIdentity()
    {
        var storage = Site()["properties"]?["functionAppConfig"]?["deployment"]?["storage"];
        Assert.Equal("blobContainer", (string?)storage?["type"]);
        Assert.Equal("UserAssignedIdentity", (string?)storage?["authentication"]?["type"]);
        Assert.Contains("Microsoft.ManagedIdentity/userAssignedIdentities",
            bicep.App.Expression(storage?["authentication"]?["userAssignedIdentityResourceId"]).ToString());
    }

    [Fact]
    public void ScaleComesFromParametersWithCheapDefaults()
    {
        var scale = Site()["properties"]?["functionAppConfig"]?["scaleAndConcurrency"];
        Assert.True(bicep.App.Expression(scale?["instanceMemoryMB"]).ReferencesParameter("instanceMemoryMB"));
        Assert.True(bicep.App.Expression(scale?["maximumInstanceCount"]).ReferencesParameter("maximumInstanceCount"));
        var alwaysReady = bicep.App.Expression(scale?["alwaysReady"]);
        Assert.True(alwaysReady.ReferencesParameter("httpAlwaysReadyInstances"), alwaysReady.ToString());
        Assert.Contains("'name', 'http'", alwaysReady.ToString());

        Assert.Equal(2048, (int?)bicep.Main.Parameters["instanceMemoryMB"]?["defaultValue"]);
        Assert.Equal(100, (int?)bicep.Main.Parameters["maximumInstanceCount"]?["defaultValue"]);
        Assert.Equal(0, (int?)bicep.Main.Parameters["httpAlwaysReadyInstances"]?["defaultValue"]);
        Assert.False((bool?)bicep.Main.Parameters["zoneRedundant"]?["defaultValue"]);
    }

    [Fact]
    public void StorageAllowsNoSharedKeyAndNothingReadsAccountKeys()
    {
        var storage = bicep.App.Single("Microsoft.Storage/storageAccounts");
        Assert.False((bool?)storage["properties"]?["allowSharedKeyAccess"]);
        Assert.False((bool?)storage["properties"]?["allowBlobPublicAccess"]);
        Assert.DoesNotContain("listKeys", bicep.Build.StdOut, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("AccountKey=", bicep.Build.StdOut, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void HostStorageIsReachedWithTheUserAssignedIdentity()
    {
        var settings = AppSettings();
        Assert.Equal("'managedidentity'", settings["AzureWebJobsStorage__credential"].ToString());
        var clientId = settings["AzureWebJobsStorage__clientId"].ToString();
        Assert.Contains("Microsoft.ManagedIdentity/userAssignedIdentities", clientId);
        Assert.EndsWith(".clientId", clientId);
        var account = bicep.App.Single("Microsoft.Storage/storageAccounts");
        Assert.Equal(bicep.App.Expression(account["name"]).ToString(), settings["AzureWebJobsStorage__accountName"].ToString());
        foreach (var service in new[] { "blob", "queue", "table" })
            Assert.EndsWith($".primaryEndpoints.{service}", settings[$"AzureWebJobsStorage__{service}ServiceUri"].ToString());

        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys);
        Assert.DoesNotContain("FUNCTIONS_WORKER_RUNTIME", settings.Keys);
        Assert.DoesNotContain("FUNCTIONS_EXTENSION_VERSION", settings.Keys);
        Assert.Null(Site()["properties"]?["siteConfig"]?["appSettings"]);
    }

    [Fact]
    public void IdentityHasTheStorageRolesTheHostTimersAndDurableFunctionsNeed()
    {
        var passed = bicep.App.Expression(bicep.App.DeploymentResource("castio-rbac")["properties"]?["parameters"]?["identityPrincipalId"]?["value"]);
        Assert.Contains("Microsoft.ManagedIdentity/userAssignedIdentities", passed.ToString());
        Assert.EndsWith(".principalId", passed.ToString());

        var roles = IdentityRoles();
        Assert.Contains((StorageBlobDataOwner, "Microsoft.Storage/storageAccounts"), roles);
        Assert.Contains((StorageQueueDataContributor, "Microsoft.Storage/storageAccounts"), roles);
        Assert.Contains((StorageTableDataContributor, "Microsoft.Storage/storageAccounts"), roles);
        Assert.Contains((MonitoringMetricsPublisher, "Microsoft.Insights/components"), roles);
    }

    [Theory]
    [MemberData(nameof(SecretSettings))]
    public void SecretSettingIsAKeyVaultReferenceToASecretFromASecureParameter(string name)
    {
        var settings = AppSettings();
        Assert.True(settings.TryGetValue(name, out var value), $"{name} is not an app setting");

        var reference = KeyVaultReference(value);
        Assert.True(reference is not null, $"{name} = {value} is not @Microsoft.KeyVault(SecretUri=...) (or empty when the secret is not given)");
        var secretName = reference.DescendantsAndSelf().OfType<ArmCall>()
            .Where(c => c.Name == "resourceId" && c.Args is [ArmString { Value: "Microsoft.KeyVault/vaults/secrets" }, ..])
            .Select(c => c.Args[^1]).OfType<ArmString>().Single().Value;
        var secret = Assert.Single(bicep.App.OfType("Microsoft.KeyVault/vaults/secrets"),
            s => bicep.App.Expression(s["name"]).ToString().EndsWith($"'{secretName}')", StringComparison.Ordinal));
        var secretValue = bicep.App.Expression(secret["properties"]?["value"]);
        Assert.True(secretValue is ArmCall { Name: "parameters", Args: [ArmString p] } && bicep.App.SecureParameters.Contains(p.Value),
            $"secret {secretName} is set from {secretValue}, not from a @secure() parameter");
    }

    [Fact]
    public void KeyVaultReferencesResolveWithTheAppIdentity()
    {
        var site = Site();
        Assert.Contains("Microsoft.ManagedIdentity/userAssignedIdentities",
            bicep.App.Expression(site["properties"]?["keyVaultReferenceIdentity"]).ToString());
        Assert.Contains((KeyVaultSecretsUser, "Microsoft.KeyVault/vaults"), IdentityRoles());

        var vault = bicep.App.Single("Microsoft.KeyVault/vaults");
        Assert.True((bool?)vault["properties"]?["enableRbacAuthorization"]);
    }

    [Fact]
    public void NoSecureParameterReachesAnAppSettingExceptThroughKeyVault()
    {
        foreach (var (name, value) in AppSettings())
        {
            var leaked = ParametersOutsideEmptyChecks(value).Where(bicep.App.SecureParameters.Contains).ToList();
            Assert.True(leaked.Count == 0, $"{name} carries @secure() parameter(s) {string.Join(", ", leaked)} in plain text: {value}");
        }
    }

    [Fact]
    public void ApplicationInsightsIsWiredWithEntraAuthentication()
    {
        var settings = AppSettings();
        Assert.Contains("Microsoft.Insights/components", settings["APPLICATIONINSIGHTS_CONNECTION_STRING"].ToString());
        Assert.EndsWith(".ConnectionString", settings["APPLICATIONINSIGHTS_CONNECTION_STRING"].ToString());
        var authentication = settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"].ToString();
        Assert.Contains("Authorization=AAD", authentication);
        Assert.Contains("Microsoft.ManagedIdentity/userAssignedIdentities", authentication);

        var insights = bicep.App.Single("Microsoft.Insights/components");
        Assert.True((bool?)insights["properties"]?["DisableLocalAuth"]);
    }

    [Fact]
    public void SiteIsHttpsOnlyWithTls12AndNoFtp()
    {
        var properties = Site()["properties"];
        Assert.True((bool?)properties?["httpsOnly"]);
        Assert.Equal("1.2", (string?)properties?["siteConfig"]?["minTlsVersion"]);
        Assert.Equal("Disabled", (string?)properties?["siteConfig"]?["ftpsState"]);
        Assert.All(bicep.App.OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies"),
            p => Assert.False((bool?)p["properties"]?["allow"]));
    }

    [Fact]
    public void CorsOriginsComeFromTheParameterWithoutAWildcard()
    {
        var origins = bicep.App.Expression(Site()["properties"]?["siteConfig"]?["cors"]?["allowedOrigins"]);
        Assert.True(origins.ReferencesParameter("allowedCorsOrigins"), origins.ToString());
        Assert.True(origins.DescendantsAndSelf().OfType<ArmCall>().Any(c => c.Name == "filter")
            && origins.DescendantsAndSelf().OfType<ArmString>().Any(s => s.Value == "*"), $"a '*' origin is not dropped: {origins}");

        var passed = bicep.Main.Expression(bicep.Main.DeploymentResource("castio")["properties"]?["parameters"]?["allowedCorsOrigins"]?["value"]);
        Assert.Equal("parameters('allowedCorsOrigins')", passed.ToString());
        var parameter = bicep.Main.Parameters["allowedCorsOrigins"];
        Assert.Equal("array", (string?)parameter?["type"]);
        Assert.Empty(parameter?["defaultValue"]?.AsArray() ?? [null]);
    }

    [Fact]
    public void OperatorsGetTheUrlsAndNamesAsOutputs()
    {
        var outputs = bicep.Main.Outputs;
        foreach (var name in new[] { "AZURE_LOCATION", "SERVICE_API_NAME", "CASTIO_API_BASE_URL", "CASTIO_WEBHOOK_URL",
            "AZURE_STORAGE_ACCOUNT_NAME", "AZURE_APPLICATION_INSIGHTS_NAME" })
            Assert.True(outputs.ContainsKey(name), $"output {name} is missing");
        Assert.All(outputs.Select(o => o.Key), name => Assert.Matches("^[A-Z][A-Z0-9_]*$", name));
        Assert.Contains("'{0}/webhooks/rtk'", bicep.Main.Expression(outputs["CASTIO_WEBHOOK_URL"]?["value"]).ToString());
        var apiBaseUrl = bicep.App.Expression(bicep.App.Outputs["apiBaseUrl"]?["value"]);
        Assert.True(apiBaseUrl is ArmCall { Name: "format", Args: [ArmString { Value: "https://{0}" }, ArmMember { Name: "defaultHostName" }] },
            $"the API base URL is not https://<defaultHostName>: {apiBaseUrl}");
    }

    [Fact]
    public void NoOutputCarriesASecret()
    {
        foreach (var (where, template) in new[] { ("main", bicep.Main), ("castio", bicep.App), ("castio-rbac", bicep.Rbac) })
        {
            foreach (var (name, output) in template.Outputs)
            {
                var value = template.Expression(output?["value"]);
                Assert.False(SecretLookingName().IsMatch(name), $"{where} output {name} is named like a secret");
                Assert.False(((string?)output?["type"])?.StartsWith("secure", StringComparison.OrdinalIgnoreCase) == true, $"{where} output {name} is secure-typed");
                var secure = value.DescendantsAndSelf().OfType<ArmCall>()
                    .Where(c => c.Name == "parameters" && c.Args is [ArmString p] && template.SecureParameters.Contains(p.Value));
                Assert.False(secure.Any(), $"{where} output {name} carries a @secure() parameter: {value}");
                Assert.False(SecretLookingValue().IsMatch(value.ToString()), $"{where} output {name} looks like a secret: {value}");
            }
        }
    }

    [Fact]
    public void ParametersFileTakesOnlyAzdEnvironmentValuesWithDefaultsThatMatchTheTemplate()
    {
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(BicepFixture.RepoRoot, "infra", "bicep", "main.parameters.json")))!;
        var mapped = file["parameters"]!.AsObject();
        foreach (var (name, entry) in mapped)
        {
            Assert.True(bicep.Main.Parameters.ContainsKey(name), $"main.parameters.json sets {name}, which main.bicep does not declare");
            var value = (string?)entry?["value"] ?? "";
            var match = AzdSubstitution().Match(value);
            Assert.True(match.Success, $"{name} = '{value}': main.parameters.json holds only ${{VAR}} or ${{VAR=default}}");
            if (!match.Groups["default"].Success)
                continue;
            var declared = bicep.Main.Parameters[name]!;
            var fileDefault = (string)declared["type"]! switch
            {
                "int" => JsonValue.Create(int.Parse(match.Groups["default"].Value, System.Globalization.CultureInfo.InvariantCulture)),
                "bool" => JsonValue.Create(bool.Parse(match.Groups["default"].Value)),
                "array" or "object" => JsonNode.Parse(match.Groups["default"].Value),
                _ => JsonValue.Create(match.Groups["default"].Value),
            };
            Assert.True(JsonNode.DeepEquals(fileDefault, declared["defaultValue"]),
                $"{name}: the parameters file defaults to {fileDefault?.ToJsonString()}, main.bicep to {declared["defaultValue"]?.ToJsonString()}");
        }
        foreach (var (name, declared) in bicep.Main.Parameters)
        {
            if (declared?["defaultValue"] is null)
                Assert.True(mapped.ContainsKey(name), $"required parameter {name} is not mapped in main.parameters.json");
        }
    }

    [Fact]
    public void ReadmeDocumentsEveryAzdEnvironmentValueTheDeploymentReads()
    {
        var readme = File.ReadAllText(Path.Combine(BicepFixture.RepoRoot, "README.md"));
        var file = File.ReadAllText(Path.Combine(BicepFixture.RepoRoot, "infra", "bicep", "main.parameters.json"));
        var azdOwn = new HashSet<string> { "AZURE_ENV_NAME", "AZURE_LOCATION", "AZURE_PRINCIPAL_ID", "AZURE_PRINCIPAL_TYPE" };
        var variables = AzdVariable().Matches(file).Select(m => m.Groups[1].Value).Where(v => !azdOwn.Contains(v)).ToList();
        Assert.NotEmpty(variables);
        Assert.All(variables, v => Assert.Contains($"`{v}`", readme));
    }

    private JsonObject Site() => bicep.App.Single("Microsoft.Web/sites");

    /// <summary>
    /// The app settings resource (<c>sites/config 'appsettings'</c>) as name → value expression. Bicep compiles the
    /// merged maps to <c>union(createObject(name, value, ...), ...)</c>.
    /// </summary>
    private Dictionary<string, ArmNode> AppSettings()
    {
        var config = Assert.Single(bicep.App.OfType("Microsoft.Web/sites/config"),
            c => bicep.App.Expression(c["name"]).ToString().Contains("'appsettings'", StringComparison.Ordinal));
        var settings = new Dictionary<string, ArmNode>(StringComparer.Ordinal);
        if (config["properties"] is JsonObject literal)
        {
            foreach (var (name, value) in literal)
                settings.Add(name, bicep.App.Expression(value));
            return settings;
        }
        Collect(bicep.App.Expression(config["properties"]));
        return settings;

        void Collect(ArmNode node)
        {
            switch (node)
            {
                case ArmCall { Name: "union" } union:
                    foreach (var part in union.Args)
                        Collect(part);
                    break;
                case ArmCall { Name: "createObject" } map:
                    for (var i = 0; i + 1 < map.Args.Count; i += 2)
                        settings.Add(Assert.IsType<ArmString>(map.Args[i]).Value, map.Args[i + 1]);
                    break;
                case ArmLiteral { Json: ['{', ..] } json:
                    foreach (var (name, value) in JsonNode.Parse(json.Json)!.AsObject())
                        settings.Add(name, bicep.App.Expression(value));
                    break;
                default:
                    Assert.Fail($"App settings are built in a way this test cannot read: {node}");
                    break;
            }
        }
    }

    /// <summary>(role definition id, scope resource type) of every assignment to the app identity.</summary>
    private List<(string Role, string ScopeType)> IdentityRoles() =>
        [.. bicep.Rbac.OfType("Microsoft.Authorization/roleAssignments")
            .Where(a => bicep.Rbac.Expression(a["properties"]?["principalId"]).ToString() == "parameters('identityPrincipalId')")
            .Select(a => (
                Role: bicep.Rbac.Expression(a["properties"]?["roleDefinitionId"]).DescendantsAndSelf().OfType<ArmString>()
                    .Select(s => s.Value).Single(v => Guid.TryParse(v, out _)),
                ScopeType: bicep.Rbac.Expression(a["scope"]).DescendantsAndSelf().OfType<ArmString>()
                    .Select(s => s.Value).FirstOrDefault(v => v.StartsWith("Microsoft.", StringComparison.Ordinal)) ?? ""))];

    /// <summary>The Key Vault reference a setting holds: the reference itself, or <c>if(given, reference, '')</c>.</summary>
    private static ArmNode? KeyVaultReference(ArmNode value) => value switch
    {
        ArmCall { Name: "format", Args: [ArmString { Value: "@Microsoft.KeyVault(SecretUri={0})" }, ArmMember { Name: "secretUri" or "secretUriWithVersion" } uri] }
            when uri.Calls("resourceId", "Microsoft.KeyVault/vaults/secrets") => value,
        ArmCall { Name: "if", Args: [_, var given, ArmString { Value: "" }] } => KeyVaultReference(given),
        _ => null,
    };

    /// <summary>Parameters an expression reads, except inside <c>empty(...)</c>, which only tests whether one was given.</summary>
    private static IEnumerable<string> ParametersOutsideEmptyChecks(ArmNode node) => node switch
    {
        ArmCall { Name: "empty" } => [],
        ArmCall { Name: "parameters", Args: [ArmString p] } => [p.Value],
        ArmCall call => call.Args.SelectMany(ParametersOutsideEmptyChecks),
        ArmMember member => ParametersOutsideEmptyChecks(member.Target),
        ArmIndex index => ParametersOutsideEmptyChecks(index.Target).Concat(ParametersOutsideEmptyChecks(index.Index)),
        _ => [],
    };

    [GeneratedRegex("(?i)secret|password|token|connection_?string|dsn|signing|api_?key|credential")]
    private static partial Regex SecretLookingName();

    [GeneratedRegex("(?i)listKeys|listSecrets|ConnectionString|KeyVault\\(|vaults/secrets|AccountKey|InstrumentationKey")]
    private static partial Regex SecretLookingValue();

    [GeneratedRegex(@"^\$\{(?<name>[A-Z][A-Z0-9_]*)(=(?<default>[^}]*))?\}$")]
    private static partial Regex AzdSubstitution();

    [GeneratedRegex(@"\$\{([A-Z][A-Z0-9_]*)")]
    private static partial Regex AzdVariable();
}
