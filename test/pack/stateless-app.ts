// The stateless app in strict TypeScript, type-checked without sequelize
// installed and without skipLibCheck: the package's types name no Sequelize type.
import express from 'express';
import passport from 'passport';
import { JWTStatelessStrategy, SimpleJWT, errorHandler, jwtAuth } from 'passport-simplejwt';

const sj = new SimpleJWT({ signingKey: process.env.JWT_SECRET ?? 'a-secret-of-at-least-thirty-two-bytes-for-hs256' });
passport.use(new JWTStatelessStrategy(sj));
const app = express();
app.get('/api/me/', jwtAuth('passport-simplejwt-stateless'), (req, res) => {
  res.json({ authenticated: req.user !== undefined });
});
app.use(errorHandler());
export default app;
