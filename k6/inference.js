// The inference user flow of the earlier FastAPI service: list models, select one, predict, with think time.
//   k6 run -e BASE_URL=http://localhost:8080 -e VUS=500 k6/inference.js
import http from 'k6/http';
import { check, sleep } from 'k6';

const BASE = __ENV.BASE_URL || 'http://localhost:8080';
const MODEL = __ENV.MODEL || 'modelo1';
// MLSERVE_KEY: sent as 'Authorization: Bearer <key>'; POST /select-model needs the admin key when MLSERVE_ADMIN_KEY is set
const AUTH = __ENV.MLSERVE_KEY ? { Authorization: `Bearer ${__ENV.MLSERVE_KEY}` } : {};
const GET_PARAMS = { headers: AUTH };
const JSON_HEADERS = { headers: Object.assign({ 'Content-Type': 'application/json' }, AUTH) };
const WILDERNESS = ['Rawah', 'Neota', 'Commanche', 'Cache'];
const SOILS = ['C2702', 'C2703', 'C2704', 'C2705', 'C2706', 'C2717', 'C3501', 'C3502', 'C4201', 'C4703',
  'C4704', 'C4744', 'C4758', 'C5101', 'C5151', 'C6101', 'C6102', 'C6731', 'C7101', 'C7102', 'C7103', 'C7201',
  'C7202', 'C7700', 'C7701', 'C7702', 'C7709', 'C7710', 'C7745', 'C7746', 'C7755', 'C7756', 'C7757', 'C7790',
  'C8703', 'C8707', 'C8708', 'C8771', 'C8772', 'C8776'];

export const options = {
  scenarios: {
    users: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [
        { duration: __ENV.RAMP || '30s', target: parseInt(__ENV.VUS || '500', 10) },
        { duration: __ENV.DURATION || '2m', target: parseInt(__ENV.VUS || '500', 10) },
      ],
    },
  },
  thresholds: {
    http_req_failed: ['rate==0'],
    'http_req_duration{route:predict}': ['p(99)<50'],
    'http_req_duration{route:models}': ['p(99)<50'],
    checks: ['rate==1'],
  },
};

function rand(lo, hi) {
  return lo + Math.floor(Math.random() * (hi - lo + 1));
}

function row() {
  return {
    Elevation: rand(1900, 3800), Aspect: rand(0, 360), Slope: rand(0, 60),
    Horizontal_Distance_To_Hydrology: rand(0, 1300), Vertical_Distance_To_Hydrology: rand(-150, 550),
    Horizontal_Distance_To_Roadways: rand(0, 7000), Hillshade_9am: rand(0, 255), Hillshade_Noon: rand(0, 255),
    Hillshade_3pm: rand(0, 255), Horizontal_Distance_To_Fire_Points: rand(0, 7000),
    Wilderness_Area: WILDERNESS[rand(0, 3)], Soil_Type: SOILS[rand(0, SOILS.length - 1)],
  };
}

function think() {
  sleep(1 + Math.random() * 1.5);
}

export default function () {
  const models = http.get(`${BASE}/models`, Object.assign({ tags: { route: 'models' } }, GET_PARAMS));
  check(models, { 'models 200': (r) => r.status === 200 });
  think();
  const sel = http.post(`${BASE}/select-model`, JSON.stringify({ model_name: MODEL }),
    Object.assign({ tags: { route: 'select-model' } }, JSON_HEADERS));
  check(sel, { 'select 200': (r) => r.status === 200 });
  think();
  const pred = http.post(`${BASE}/predict`, JSON.stringify(row()),
    Object.assign({ tags: { route: 'predict' } }, JSON_HEADERS));
  check(pred, {
    'predict 200': (r) => r.status === 200,
    'has a class': (r) => r.json('predictions.0.Cover_Type') >= 1,
  });
  think();
}
