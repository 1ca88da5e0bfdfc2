using System.Text.Json.Serialization;

namespace Eddy.Tests.Web;

/// <summary>A JSON document the web tests send and answer.</summary>
public sealed record Payload(string Name, int Count);

/// <summary>Source-generated JSON for the web tests (as users would write it).</summary>
[JsonSerializable(typeof(Payload))]
[JsonSerializable(typeof(int[]))]
internal sealed partial class TestJsonContext : JsonSerializerContext;
