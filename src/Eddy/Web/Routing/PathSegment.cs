namespace Eddy.Web.Routing;

/// <summary>
/// Where one segment of the path being matched is: <see cref="Start"/> and <see cref="Length"/> in
/// the decoded text, <see cref="RawStart"/> in the raw path (for regex routes of mounted routers).
/// Also used for captures (RawStart unused).
/// </summary>
internal readonly record struct PathSegment(int Start, int Length, int RawStart);
