namespace Eddy.Web;

/// <summary>A request handler of the web framework: takes a request, answers a <see cref="Result"/>.</summary>
/// <param name="request">The request.</param>
/// <returns>The answer.</returns>
public delegate ValueTask<Result> Endpoint(Request request);

/// <summary>
/// A middleware (aiohttp's): runs around the rest of the pipeline. Call <paramref name="next"/>
/// to go on (and look at or replace its result), or answer without calling it.
/// </summary>
/// <param name="request">The request.</param>
/// <param name="next">The rest of the pipeline: inner middleware, then the route's handler.</param>
/// <returns>The answer.</returns>
public delegate ValueTask<Result> Middleware(Request request, Endpoint next);
