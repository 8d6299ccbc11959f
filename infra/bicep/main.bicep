// Castio in one resource group: a .NET 10 isolated-worker Function App on Flex Consumption, storage
// reached by managed identity only, Key Vault for the secrets, Log Analytics + Application Insights.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; used to name and tag every resource.')
param environmentName string

@minLength(1)
@description('Azure region for all resources (one that offers Flex Consumption).')
@metadata({ azd: { type: 'location' } })
param location string

@description('Object id of the deploying user or pipeline; gets data access to storage and secrets. Empty = none.')
param principalId string = ''

@allowed(['User', 'ServicePrincipal', 'Group'])
@description('Kind of principal in principalId (azd sets AZURE_PRINCIPAL_TYPE).')
param principalType string = 'User'

@description('Cloudflare account id that owns the RealtimeKit apps. Empty until RTK is connected.')
param rtkAccountId string = ''

@description('Shared RealtimeKit app id. Set it when every org shares one RTK app; empty = one RTK app per org.')
param rtkAppId string = ''

@secure()
@description('RealtimeKit API token (stored in Key Vault). Empty until RTK is connected.')
param rtkApiToken string = ''

@secure()
@minLength(32)
@description('JWT signing key, 32+ characters (stored in Key Vault). azd generates one on first provision.')
@metadata({ azd: { type: 'generate', config: { length: 64, noSpecial: true } } })
param jwtSigningKey string

@secure()
@description('Sentry DSN of the operator\'s own project (stored in Key Vault). Empty = not reported.')
param sentryDsn string = ''

@secure()
@description('Sentry DSN of the vendor\'s project (stored in Key Vault). Empty = not reported.')
param sentryVendorDsn string = ''

@secure()
@description('Vendor phone-home diagnostics endpoint (stored in Key Vault). Empty = no phone-home.')
param phoneHomeEndpoint string = ''

@description('Browser origins allowed to call the API (the SPA), e.g. ["https://meet.example.com"]. No wildcard.')
param allowedCorsOrigins array = []

@allowed([512, 2048, 4096])
@description('Flex Consumption instance memory (MB).')
param instanceMemoryMB int = 2048

@minValue(40)
@maxValue(1000)
@description('Flex Consumption scale-out ceiling.')
param maximumInstanceCount int = 100

@minValue(0)
@maxValue(20)
@description('Always-ready instances for the HTTP functions (join, webhook). Billed even when idle; 0 = pay per use, accept cold starts.')
param httpAlwaysReadyInstances int = 0

@description('Zone-redundant plan and storage. The region must offer zone-redundant Flex Consumption; choose it at the first provision (storage redundancy is not converted in place).')
param zoneRedundant bool = false

@description('Key Vault purge protection (production). It cannot be turned off again, and keeps the vault name taken for the retention period after `azd down`.')
param enablePurgeProtection bool = false

@description('Optional overrides for generated resource names.')
param resourceGroupName string = ''
param functionAppName string = ''
param storageAccountName string = ''
param keyVaultName string = ''

var abbrs = loadJsonContent('./abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

// Everything inside the resource group: identity, storage, monitoring, vault, plan, app and roles.
module app './app/castio.bicep' = {
  name: 'castio'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    abbrs: abbrs
    principalId: principalId
    principalType: principalType
    functionAppName: functionAppName
    storageAccountName: storageAccountName
    keyVaultName: keyVaultName
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    httpAlwaysReadyInstances: httpAlwaysReadyInstances
    zoneRedundant: zoneRedundant
    enablePurgeProtection: enablePurgeProtection
    allowedCorsOrigins: allowedCorsOrigins
    rtkAccountId: rtkAccountId
    rtkAppId: rtkAppId
    rtkApiToken: rtkApiToken
    jwtSigningKey: jwtSigningKey
    sentryDsn: sentryDsn
    sentryVendorDsn: sentryVendorDsn
    phoneHomeEndpoint: phoneHomeEndpoint
  }
}

// Outputs land in the azd environment (`azd env get-values`); none of them is a secret.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output SERVICE_API_NAME string = app.outputs.functionAppName
output SERVICE_API_URI string = app.outputs.apiBaseUrl
output CASTIO_API_BASE_URL string = app.outputs.apiBaseUrl
output CASTIO_WEBHOOK_URL string = '${app.outputs.apiBaseUrl}/webhooks/rtk'
output AZURE_STORAGE_ACCOUNT_NAME string = app.outputs.storageAccountName
output AZURE_APPLICATION_INSIGHTS_NAME string = app.outputs.applicationInsightsName
output AZURE_KEY_VAULT_NAME string = app.outputs.keyVaultName
