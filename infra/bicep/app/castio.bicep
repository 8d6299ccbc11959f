// Castio's resources inside its resource group.
param location string
param tags object
param resourceToken string
param abbrs object
param principalId string
param principalType string
param functionAppName string
param storageAccountName string
param keyVaultName string
param instanceMemoryMB int
param maximumInstanceCount int
param httpAlwaysReadyInstances int
param zoneRedundant bool
param enablePurgeProtection bool
param allowedCorsOrigins array
param rtkAccountId string
param rtkAppId string
@secure()
param rtkApiToken string
@secure()
param jwtSigningKey string
@secure()
param sentryDsn string
@secure()
param sentryVendorDsn string
@secure()
param phoneHomeEndpoint string

var appName = !empty(functionAppName) ? functionAppName : '${abbrs.webSitesFunctions}${resourceToken}'
// Flex Consumption reads the deployment package from this container; azd uploads it there.
var deploymentContainer = 'app-package-${take(appName, 32)}'

// The app's only identity: storage, Key Vault and App Insights are reached with it, never with keys.
resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: '${abbrs.managedIdentityUserAssignedIdentities}${resourceToken}'
  location: location
  tags: tags
}

resource logs 'Microsoft.OperationalInsights/workspaces@2025-02-01' = {
  name: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${abbrs.insightsComponents}${resourceToken}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    DisableLocalAuth: true
  }
}

// Shared Key is off: the host, Durable Functions and the app use Entra tokens; links are user-delegation SAS.
// The app and Durable Functions create their own tables, queues and containers (the roles allow it).
resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: !empty(storageAccountName) ? storageAccountName : '${abbrs.storageStorageAccounts}${resourceToken}'
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: zoneRedundant ? 'Standard_ZRS' : 'Standard_LRS' }
  properties: {
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' = {
  parent: storage
  name: 'default'
}

resource packageContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = {
  parent: blobService
  name: deploymentContainer
  properties: { publicAccess: 'None' }
}

// Public endpoint on purpose: Key Vault references from Flex Consumption fail for network-restricted vaults.
resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: !empty(keyVaultName) ? keyVaultName : '${abbrs.keyVaultVaults}${resourceToken}'
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    // Fixed at creation. Purge protection cannot be turned off again and keeps the vault name taken for the
    // retention period after `azd down`, so it is for production only.
    softDeleteRetentionInDays: enablePurgeProtection ? 90 : 7
    enablePurgeProtection: enablePurgeProtection ? true : null
    publicNetworkAccess: 'Enabled'
  }
}

// Each secret lives in Key Vault; the app setting is a versioned reference, so `azd provision` after a rotation
// changes the setting and the app restarts on the new value. Optional secrets exist only when given.
resource jwtKeySecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  parent: vault
  name: 'jwt-signing-key'
  properties: { value: jwtSigningKey }
}

resource rtkTokenSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (!empty(rtkApiToken)) {
  parent: vault
  name: 'rtk-api-token'
  properties: { value: rtkApiToken }
}

resource sentryDsnSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (!empty(sentryDsn)) {
  parent: vault
  name: 'sentry-dsn'
  properties: { value: sentryDsn }
}

resource sentryVendorDsnSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (!empty(sentryVendorDsn)) {
  parent: vault
  name: 'sentry-vendor-dsn'
  properties: { value: sentryVendorDsn }
}

resource phoneHomeSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (!empty(phoneHomeEndpoint)) {
  parent: vault
  name: 'phone-home-endpoint'
  properties: { value: phoneHomeEndpoint }
}

// Flex Consumption: one app per plan, Linux only.
resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: '${abbrs.webServerFarms}${resourceToken}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { name: 'FC1', tier: 'FlexConsumption' }
  properties: {
    reserved: true
    zoneRedundant: zoneRedundant
  }
}

resource functionApp 'Microsoft.Web/sites@2024-11-01' = {
  name: appName
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainer}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      runtime: { name: 'dotnet-isolated', version: '10.0' }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
        // 'http' is the scaling group of every HTTP function, so join and the RTK webhook answer without a cold start.
        alwaysReady: httpAlwaysReadyInstances > 0 ? [{ name: 'http', instanceCount: httpAlwaysReadyInstances }] : []
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      cors: {
        // A wildcard would let any site call the API with a user's token; it is dropped.
        allowedOrigins: filter(allowedCorsOrigins, origin => origin != '*')
        supportCredentials: false
      }
    }
  }
  dependsOn: [packageContainer]
}

// Deployments use Entra ID (azd); publishing with a user name and password is off.
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: functionApp
  name: 'ftp'
  properties: { allow: false }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: functionApp
  name: 'scm'
  properties: { allow: false }
}

// Data-plane roles for the app identity and (optionally) the deploying principal.
module rbac './rbac.bicep' = {
  name: 'castio-rbac'
  params: {
    storageAccountName: storage.name
    vaultName: vault.name
    insightsName: insights.name
    identityPrincipalId: identity.properties.principalId
    principalId: principalId
    principalType: principalType
  }
}

var rtkApiTokenRef = !empty(rtkApiToken) ? '@Microsoft.KeyVault(SecretUri=${rtkTokenSecret!.properties.secretUriWithVersion})' : ''
var sentryDsnRef = !empty(sentryDsn) ? '@Microsoft.KeyVault(SecretUri=${sentryDsnSecret!.properties.secretUriWithVersion})' : ''
var sentryVendorDsnRef = !empty(sentryVendorDsn) ? '@Microsoft.KeyVault(SecretUri=${sentryVendorDsnSecret!.properties.secretUriWithVersion})' : ''
var phoneHomeEndpointRef = !empty(phoneHomeEndpoint) ? '@Microsoft.KeyVault(SecretUri=${phoneHomeSecret!.properties.secretUriWithVersion})' : ''

// The Functions host's own storage (host, timers, Durable Functions) and telemetry, by identity.
// No FUNCTIONS_WORKER_RUNTIME / FUNCTIONS_EXTENSION_VERSION: Flex takes the runtime from functionAppConfig.
var hostSettings = {
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.properties.clientId
  AzureWebJobsStorage__accountName: storage.name
  AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
  AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
  AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
  APPLICATIONINSIGHTS_CONNECTION_STRING: insights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'
}
// Every Castio setting the code reads (kept in step with local.settings.sample.json by a test).
var castioSettings = {
  Rtk__AccountId: rtkAccountId
  Rtk__ApiToken: rtkApiTokenRef
  Rtk__BaseUrl: 'https://api.cloudflare.com/client/v4'
  Rtk__AppId: rtkAppId
  Rtk__WebhookPublicKeyUrl: 'https://api.realtime.cloudflare.com/.well-known/webhooks.json'
  Rtk__WebhookPublicKeyCacheDuration: '06:00:00'
  Rtk__WebhookPublicKeyRefetchCooldown: '00:00:30'
  Rtk__WebhookMaxBodyBytes: '1048576'
  Rtk__RequestTimeout: '00:00:30'
  Rtk__AttemptTimeout: '00:00:10'
  Rtk__MaxRetries: '3'
  Rtk__RetryBaseDelay: '00:00:00.500'
  Rtk__MaxRetryAfter: '00:00:10'
  Rtk__CircuitFailureRatio: '0.5'
  Rtk__CircuitMinimumThroughput: '10'
  Rtk__CircuitSamplingDuration: '00:00:30'
  Rtk__CircuitBreakDuration: '00:00:15'
  Auth__SigningKey: '@Microsoft.KeyVault(SecretUri=${jwtKeySecret.properties.secretUriWithVersion})'
  Auth__Issuer: 'castio'
  Auth__Audience: 'castio-api'
  Auth__AccessTokenLifetime: '00:15:00'
  Auth__RefreshTokenLifetime: '30.00:00:00'
  Auth__InviteLifetime: '7.00:00:00'
  Auth__MaxFailedLoginsPerAccount: '10'
  Auth__AccountLockoutWindow: '00:15:00'
  Auth__RefreshReuseLeeway: '00:00:05'
  // A shared RTK app id means every org uses that app (accounts that cannot create RTK apps).
  Orgs__PerOrgRtkApps: empty(rtkAppId) ? 'true' : 'false'
  Orgs__RegistrationLease: '00:02:00'
  Storage__NamePrefix: ''
  PostMeeting__RecoveryDelay: '00:30:00'
  PostMeeting__ArtefactGrace: '00:20:00'
  PostMeeting__SummaryGrace: '00:15:00'
  PostMeeting__RecordingStallAfter: '00:30:00'
  Http__MaxRequestBodyBytes: '1048576'
  Sentry__Dsn: sentryDsnRef
  Sentry__VendorDsn: sentryVendorDsnRef
  Sentry__CustomerEnabled: 'true'
  Sentry__VendorEnabled: 'true'
  Sentry__Environment: 'production'
  // Empty: the deployed build's own version.
  Sentry__Release: ''
  // Tells this deployment apart in the vendor's Sentry project.
  Sentry__DeploymentId: resourceToken
  Sentry__ShutdownTimeout: '00:00:02'
  Telemetry__TracesSampleRate: '1'
  Diagnostics__PhoneHomeEndpoint: phoneHomeEndpointRef
  Diagnostics__ProbeTimeout: '00:00:10'
}

// Applied after the roles exist, so the Key Vault references resolve on the first start.
resource appSettings 'Microsoft.Web/sites/config@2024-11-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: union(hostSettings, castioSettings)
  dependsOn: [rbac]
}

output functionAppName string = functionApp.name
output apiBaseUrl string = 'https://${functionApp.properties.defaultHostName}'
output storageAccountName string = storage.name
output applicationInsightsName string = insights.name
output keyVaultName string = vault.name
