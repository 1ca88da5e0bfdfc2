using System.Text.Json;
using System.Text.Json.Serialization;

namespace Eddy.Web;

/// <summary>Source-generated JSON for the framework's own documents (no reflection on the error path).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ErrorBody))]
internal sealed partial class ErrorJsonContext : JsonSerializerContext;
