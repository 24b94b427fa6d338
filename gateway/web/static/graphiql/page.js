// Starts GraphiQL on the gateway's own page. Adapted from strawberry-graphql's graphiql.html
// (MIT), moved out of the page so its Content-Security-Policy needs no inline script.
// Queries go to this page's own URL; subscriptions to the same URL over a websocket
// (graphql-transport-ws), so the page works behind any host, port or proxy prefix.
"use strict";

(function () {
  const EXAMPLE_QUERY = `# Welcome to the orderlens GraphiQL
#
# Paste your token in the Headers tab below, e.g.
#   {"authorization": "Bearer <token>"}
# They go with every query, and with the websocket for subscriptions.
#
#   Run query:      Ctrl-Enter (or the play button)
#   Auto complete:  Ctrl-Space (or just start typing)
#
{
  __typename
}
`;

  // URL parameters let a query be shared as a link.
  const parameters = {};
  for (const entry of window.location.search.slice(1).split("&")) {
    const eq = entry.indexOf("=");
    if (eq >= 0) {
      parameters[decodeURIComponent(entry.slice(0, eq))] = decodeURIComponent(entry.slice(eq + 1));
    }
  }

  function updateURL(data) {
    Object.assign(parameters, data);
    const search = Object.keys(parameters)
      .filter((key) => Boolean(parameters[key]))
      .map((key) => encodeURIComponent(key) + "=" + encodeURIComponent(parameters[key]))
      .join("&");
    history.replaceState(null, "", "?" + search);
  }

  function websocketUrl(httpUrl) {
    const url = new URL(httpUrl);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    url.hash = "";
    return url.toString();
  }

  const fetchURL = window.location.href.split(/[?#]/)[0];
  const fetcher = GraphiQL.createFetcher({
    url: fetchURL,
    subscriptionUrl: websocketUrl(fetchURL),
  });

  function GraphiQLWithExplorer() {
    const [query, setQuery] = React.useState(parameters.q || EXAMPLE_QUERY);
    const [variables, setVariables] = React.useState(parameters.variables);
    const explorerPlugin = React.useMemo(() => GraphiQLPluginExplorer.explorerPlugin(), []);

    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      plugins: [explorerPlugin],
      query: query,
      variables: variables,
      onEditQuery: (value) => {
        setQuery(value);
        updateURL({ q: value });
      },
      onEditVariables: (value) => {
        setVariables(value);
        updateURL({ variables: value });
      },
      inputValueDeprecation: true,
      isHeadersEditorEnabled: true,
      // Headers (the bearer token) stay in this browser's storage, never in the shared URL.
      shouldPersistHeaders: true,
    });
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQLWithExplorer),
  );
})();
