using System.Text.Json;
using System.Text.Json.Serialization;

namespace Corbado.Oidc.Server.Login;

[JsonSerializable(typeof(CodeGrant))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class CodeGrantJson : JsonSerializerContext;
