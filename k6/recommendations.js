// GET recommendations for random users through every entry point clients use:
// /recommendations/{userId} with each algorithm and /recomendaciones?user_id= (the earlier API's route).
//   k6 run -e BASE_URL=http://localhost:8080 -e MAX_USER=943 k6/recommendations.js
import http from 'k6/http';
import { check } from 'k6';

const BASE = __ENV.BASE_URL || 'http://localhost:8080';
const MAX_USER = parseInt(__ENV.MAX_USER || '943', 10);
const ALGOS = ['hybrid', 'user', 'item', 'cluster'];
// MLSERVE_KEY: the read (or admin) key when the service has MLSERVE_READ_KEY set
const HEADERS = __ENV.MLSERVE_KEY ? { Authorization: `Bearer ${__ENV.MLSERVE_KEY}` } : {};

export const options = {
  scenarios: {
    recommendations: {
      executor: 'constant-vus',
      vus: parseInt(__ENV.VUS || '32', 10),
      duration: __ENV.DURATION || '30s',
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.001'],
    'http_req_duration{route:recommendations}': ['p(99)<20'],
    'http_req_duration{route:recomendaciones}': ['p(99)<20'],
    checks: ['rate>0.999'],
  },
};

export default function () {
  const user = 1 + Math.floor(Math.random() * MAX_USER);
  let res;
  if (Math.random() < 0.2) {
    res = http.get(`${BASE}/recomendaciones?user_id=${user}`, { headers: HEADERS, tags: { route: 'recomendaciones' } });
  } else {
    const algo = ALGOS[Math.floor(Math.random() * ALGOS.length)];
    res = http.get(`${BASE}/recommendations/${user}?algo=${algo}&k=10`, { headers: HEADERS, tags: { route: 'recommendations' } });
  }
  check(res, {
    'status 200': (r) => r.status === 200,
    'has items': (r) => Array.isArray(r.json('items')),
  });
}
