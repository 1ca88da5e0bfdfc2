// Node http peer: GET /plaintext "Hello, World!" on 127.0.0.1:PORT.
const http = require('http');
const port = parseInt(process.argv[2] || '8080', 10);
const body = Buffer.from('Hello, World!');
http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
  res.end(body);
}).listen(port, '127.0.0.1');
